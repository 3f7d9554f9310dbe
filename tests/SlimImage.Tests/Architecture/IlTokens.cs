using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace SlimImage.Tests.Architecture;

/// <summary>
/// Walks a method body's IL instruction by instruction (ECMA-335 III: one- and two-byte opcodes, each operand's size,
/// <c>switch</c>'s count-prefixed jump table) and returns the metadata tokens its operands name.
/// </summary>
internal static class IlTokens
{
    // The runtime's own opcode list (System.Reflection.Emit.OpCodes) gives each opcode's operand type, so no table
    // is copied here; null marks a byte that is no opcode.
    private static readonly OperandType?[] OneByte = new OperandType?[256];
    private static readonly OperandType?[] TwoByte = new OperandType?[256];

    static IlTokens()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (code.Size == 1)
                OneByte[value] = code.OperandType;
            else
                TwoByte[value & 0xff] = code.OperandType;
        }
    }

    /// <summary>Every token operand (field, method, type, <c>ldtoken</c>, <c>calli</c> signature) in IL order.</summary>
    public static List<EntityHandle> Read(MethodBodyBlock body) => Read(body.GetILBytes() ?? []);

    /// <inheritdoc cref="Read(MethodBodyBlock)"/>
    public static List<EntityHandle> Read(ReadOnlySpan<byte> il)
    {
        var tokens = new List<EntityHandle>();
        var at = 0;
        while (at < il.Length)
        {
            var offset = at;
            var first = il[at++];
            var operand = first == 0xfe ? TwoByte[Operand(il, at++, 1, offset)[0]] : OneByte[first];
            var size = operand switch
            {
                null => throw new BadImageFormatException($"no opcode at IL offset {offset}"),
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Operand(il, at, 4, offset)) * 4),
                OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR or OperandType.InlineString
                    or OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok
                    or OperandType.InlineSig => 4,
                _ => throw new BadImageFormatException($"operand type {operand} at IL offset {offset}"),
            };
            var bytes = Operand(il, at, size, offset);
            if (operand is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType
                or OperandType.InlineTok or OperandType.InlineSig)
                tokens.Add(MetadataTokens.EntityHandle(BinaryPrimitives.ReadInt32LittleEndian(bytes)));
            at += size;
        }
        return tokens;
    }

    private static ReadOnlySpan<byte> Operand(ReadOnlySpan<byte> il, int at, int size, int offset) =>
        at + size <= il.Length ? il.Slice(at, size) : throw new BadImageFormatException($"the operand of the instruction at IL offset {offset} runs past the method body");
}
