using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace SlimImage.Tests.Architecture;

/// <summary>A type as a signature names it: its full name (nested with '+'), its assembly when another, or a primitive.</summary>
internal readonly record struct SigType(string Name, string? Assembly = null, PrimitiveTypeCode? Primitive = null);

/// <summary>
/// Decodes signatures, type specifications and custom attribute values of one assembly and collects every type of
/// that assembly they name: generic arguments, array elements, pointers, by-refs, modifiers, function pointers.
/// </summary>
internal sealed class TypeCollector(MetadataReader reader)
    : ISignatureTypeProvider<SigType, object?>, ICustomAttributeTypeProvider<SigType>
{
    private readonly Dictionary<string, TypeDefinitionHandle> byName = reader.TypeDefinitions
        .ToDictionary(handle => FullName(reader, handle), StringComparer.Ordinal);

    /// <summary>The assembly's own types named since the last <see cref="Take"/>.</summary>
    private readonly List<TypeDefinitionHandle> found = [];

    public MetadataReader Reader => reader;

    /// <summary>Returns what was collected and starts over.</summary>
    public List<TypeDefinitionHandle> Take()
    {
        var taken = found.ToList();
        found.Clear();
        return taken;
    }

    /// <summary>Collects the types a type token (TypeDef, TypeRef or TypeSpec) names.</summary>
    public void AddType(EntityHandle handle)
    {
        if (handle.IsNil)
            return;
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition: GetTypeFromDefinition(reader, (TypeDefinitionHandle)handle, 0); break;
            case HandleKind.TypeReference: GetTypeFromReference(reader, (TypeReferenceHandle)handle, 0); break;
            case HandleKind.TypeSpecification: GetTypeFromSpecification(reader, null, (TypeSpecificationHandle)handle, 0); break;
        }
    }

    /// <summary>The type name lookup (nested types with '+') of the assembly's own type definitions.</summary>
    public static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil)
            return FullName(reader, declaring) + "+" + name;
        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    public SigType GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        found.Add(handle);
        return new SigType(FullName(metadata, handle));
    }

    public SigType GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind)
    {
        var (name, scope) = ReferenceName(metadata, handle);
        // A reference whose scope is this very module names one of its own types (compilers rarely emit it).
        if (scope.Kind == HandleKind.ModuleDefinition && byName.TryGetValue(name, out var own))
            found.Add(own);
        var assembly = scope.Kind == HandleKind.AssemblyReference
            ? metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)scope).Name)
            : null;
        return new SigType(name, assembly);
    }

    private static (string Name, EntityHandle Scope) ReferenceName(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var type = metadata.GetTypeReference(handle);
        var name = metadata.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            var (outer, scope) = ReferenceName(metadata, (TypeReferenceHandle)type.ResolutionScope);
            return (outer + "+" + name, scope);
        }
        var ns = metadata.GetString(type.Namespace);
        return (ns.Length == 0 ? name : ns + "." + name, type.ResolutionScope);
    }

    public SigType GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        metadata.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public SigType GetGenericInstantiation(SigType genericType, ImmutableArray<SigType> typeArguments) => genericType;
    public SigType GetArrayType(SigType elementType, ArrayShape shape) => new(elementType.Name + "[]");
    public SigType GetSZArrayType(SigType elementType) => new(elementType.Name + "[]");
    public SigType GetByReferenceType(SigType elementType) => new(elementType.Name + "&");
    public SigType GetPointerType(SigType elementType) => new(elementType.Name + "*");
    public SigType GetPinnedType(SigType elementType) => elementType;
    public SigType GetModifiedType(SigType modifier, SigType unmodifiedType, bool isRequired) => unmodifiedType;
    public SigType GetFunctionPointerType(MethodSignature<SigType> signature) => new("method*");
    public SigType GetGenericMethodParameter(object? genericContext, int index) => new("!!" + index);
    public SigType GetGenericTypeParameter(object? genericContext, int index) => new("!" + index);
    public SigType GetPrimitiveType(PrimitiveTypeCode typeCode) => new(typeCode.ToString(), Primitive: typeCode);

    // Custom attribute values: typeof(X) arguments arrive as serialized type names, enums need their underlying type.
    public SigType GetSystemType() => new("System.Type");

    public bool IsSystemType(SigType type) => type.Name == "System.Type";

    public SigType GetTypeFromSerializedName(string name)
    {
        // "Ns.Outer+Inner, Assembly, …" or a generic "Ns.G`1[[Ns.Arg, Assembly]]": every bracketed part is a type too.
        foreach (var part in name.Split(['[', ']'], StringSplitOptions.RemoveEmptyEntries))
        {
            var typeName = part.Split(',')[0].Trim();
            if (byName.TryGetValue(typeName, out var own))
                found.Add(own);
        }
        var nameAndAssembly = name.Split(',', 2);
        return new SigType(nameAndAssembly[0].Trim(), name.Contains('[') || nameAndAssembly.Length == 1 ? null : nameAndAssembly[1].Trim());
    }

    public PrimitiveTypeCode GetUnderlyingEnumType(SigType type)
    {
        if (byName.TryGetValue(type.Name, out var own))
        {
            var value = reader.GetTypeDefinition(own).GetFields()
                .Select(reader.GetFieldDefinition)
                .First(field => reader.GetString(field.Name) == "value__");
            return value.DecodeSignature(this, null).Primitive
                ?? throw new BadImageFormatException($"enum {type.Name} has no primitive underlying type");
        }
        var runtimeType = Type.GetType(type.Assembly is null ? type.Name : type.Name + ", " + type.Assembly)
            ?? throw new InvalidOperationException($"cannot load enum {type.Name} ({type.Assembly}) to read an attribute argument");
        return Type.GetTypeCode(Enum.GetUnderlyingType(runtimeType)) switch
        {
            TypeCode.SByte => PrimitiveTypeCode.SByte,
            TypeCode.Byte => PrimitiveTypeCode.Byte,
            TypeCode.Int16 => PrimitiveTypeCode.Int16,
            TypeCode.UInt16 => PrimitiveTypeCode.UInt16,
            TypeCode.Int32 => PrimitiveTypeCode.Int32,
            TypeCode.UInt32 => PrimitiveTypeCode.UInt32,
            TypeCode.Int64 => PrimitiveTypeCode.Int64,
            TypeCode.UInt64 => PrimitiveTypeCode.UInt64,
            var other => throw new BadImageFormatException($"enum {type.Name} has underlying type {other}"),
        };
    }
}
