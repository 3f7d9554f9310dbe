using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Xunit;

namespace SlimImage.Tests.Architecture;

/// <summary>
/// The IL walk steps over each operand by its size: a byte of an operand or of a jump table read as an opcode would
/// swallow or invent tokens (hand-written IL whose operand bytes are themselves opcodes that take a token).
/// </summary>
public class IlTokensTests
{
    private const byte Call = 0x28, LdcI4 = 0x20, LdcI8 = 0x21, Ldstr = 0x72, Ldtoken = 0xd0, Switch = 0x45, Ret = 0x2a;

    [Fact]
    public void ASwitchJumpTableIsSteppedOver()
    {
        // switch with two targets whose offsets are the bytes of ldc.i4 and call, then call MemberRef 1.
        byte[] il = [Switch, 2, 0, 0, 0, LdcI4, LdcI4, LdcI4, LdcI4, Call, Call, Call, Call, Call, 1, 0, 0, 0x0a, Ret];

        Assert.Equal([MetadataTokens.EntityHandle(0x0a000001)], IlTokens.Read(il));
    }

    [Fact]
    public void EachOperandIsSteppedOverByItsSizeAndOnlyTokensAreReturned()
    {
        byte[] il =
        [
            LdcI8, Call, Call, Call, Call, Call, Call, Call, Call,  // 8-byte constant made of call opcodes
            Ldstr, 1, 0, 0, 0x70,                                    // a string token is not a type
            0xfe, 0x09, Call, Call,                                  // ldarg with its 2-byte index
            0xfe, 0x15, 3, 0, 0, 0x02,                               // initobj TypeDef 3: a two-byte opcode with a token
            Ldtoken, 2, 0, 0, 0x1b,                                  // ldtoken TypeSpec 2
            0x2b, Call,                                              // br.s over one byte
            Ret,
        ];

        Assert.Equal(
            [MetadataTokens.EntityHandle(0x02000003), MetadataTokens.EntityHandle(0x1b000002)],
            IlTokens.Read(il));
    }

    [Fact]
    public void BytesThatAreNoInstructionAreAnError()
    {
        Assert.Throws<BadImageFormatException>(() => IlTokens.Read([0xa6]));
        Assert.Throws<BadImageFormatException>(() => IlTokens.Read([Call, 1, 0]));
    }
}
