using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace SlimImage.Tests.Architecture;

/// <summary>
/// Reads a compiled assembly's metadata and IL (never loading it) into a <see cref="FolderGraph"/>: for every type,
/// its base type, interfaces, generic constraints, custom attributes (constructor and typeof arguments), fields,
/// method, property and event signatures, explicit interface implementations, and each method body's local
/// variables, catch clauses and instruction operands (types, fields, methods, member references with their parent
/// type and signature, generic method instantiations, calli signatures).
/// </summary>
internal sealed class DependencyReader
{
    private readonly MetadataReader reader;
    private readonly PEReader pe;
    private readonly TypeCollector types;
    private readonly FolderGraph graph = new();

    private DependencyReader(PEReader pe)
    {
        this.pe = pe;
        reader = pe.GetMetadataReader();
        types = new TypeCollector(reader);
    }

    public static FolderGraph Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        return Read(stream);
    }

    public static FolderGraph Read(Stream assembly)
    {
        using var pe = new PEReader(assembly, PEStreamOptions.LeaveOpen);
        var dependencies = new DependencyReader(pe);
        foreach (var type in dependencies.reader.TypeDefinitions)
            dependencies.ReadType(type);
        return dependencies.graph;
    }

    private void ReadType(TypeDefinitionHandle handle)
    {
        var (folder, from, generated) = Owner(handle);
        if (folder is null)
            return;
        graph.AddFolder(folder);
        var type = reader.GetTypeDefinition(handle);
        var typeMember = generated?.Member ?? "";

        types.AddType(type.BaseType);
        Record(folder, from, typeMember, "base");
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            var @interface = reader.GetInterfaceImplementation(implementation);
            types.AddType(@interface.Interface);
            ReadAttributes(@interface.GetCustomAttributes());
        }
        Record(folder, from, typeMember, "interface");
        ReadGenericParameters(type.GetGenericParameters());
        ReadAttributes(type.GetCustomAttributes());
        Record(folder, from, typeMember, "attribute or constraint");

        foreach (var fieldHandle in type.GetFields())
        {
            var field = reader.GetFieldDefinition(fieldHandle);
            field.DecodeSignature(types, null);
            ReadAttributes(field.GetCustomAttributes());
            // A generated type's fields are captured variables and hoisted locals of the member it was made for.
            if (generated is null)
                Record(folder, from, reader.GetString(field.Name), "field");
            else
                Record(folder, from, generated.Member, "captured");
        }
        foreach (var methodHandle in type.GetMethods())
            ReadMethod(folder, from, generated, methodHandle);
        foreach (var propertyHandle in type.GetProperties())
        {
            var property = reader.GetPropertyDefinition(propertyHandle);
            property.DecodeSignature(types, null);
            ReadAttributes(property.GetCustomAttributes());
            Record(folder, from, generated?.Member ?? reader.GetString(property.Name), "property");
        }
        foreach (var eventHandle in type.GetEvents())
        {
            var @event = reader.GetEventDefinition(eventHandle);
            types.AddType(@event.Type);
            ReadAttributes(@event.GetCustomAttributes());
            Record(folder, from, generated?.Member ?? reader.GetString(@event.Name), "event");
        }
        foreach (var implementationHandle in type.GetMethodImplementations())
        {
            var implementation = reader.GetMethodImplementation(implementationHandle);
            ReadMember(implementation.MethodDeclaration);
            Record(folder, from, typeMember, "explicit implementation");
        }
    }

    private void ReadMethod(string folder, string from, Generated? generated, MethodDefinitionHandle handle)
    {
        var method = reader.GetMethodDefinition(handle);
        // A lambda or local function ("<Resolve>b__0") names its member; a state machine's MoveNext or a closure's
        // constructor does not, and stands for the generated type's member.
        var name = reader.GetString(method.Name);
        var member = Clean(name) != name || generated is null ? Clean(name) : generated.Member;
        method.DecodeSignature(types, null);
        ReadGenericParameters(method.GetGenericParameters());
        ReadAttributes(method.GetCustomAttributes());
        foreach (var parameter in method.GetParameters())
            ReadAttributes(reader.GetParameter(parameter).GetCustomAttributes());
        Record(folder, from, member, "signature");

        if (method.RelativeVirtualAddress == 0)
            return;
        var body = pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
            reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(types, null);
        Record(folder, from, member, "locals");
        foreach (var region in body.ExceptionRegions)
            types.AddType(region.CatchType);
        Record(folder, from, member, "catch");
        foreach (var token in IlTokens.Read(body))
            ReadMember(token);
        Record(folder, from, member, "body");
    }

    /// <summary>Collects the types an IL operand or a member token names, with the parent of a member and its signature.</summary>
    private void ReadMember(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification:
                types.AddType(handle);
                break;
            case HandleKind.FieldDefinition:
                var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                types.AddType(field.GetDeclaringType());
                field.DecodeSignature(types, null);
                break;
            case HandleKind.MethodDefinition:
                var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                types.AddType(method.GetDeclaringType());
                method.DecodeSignature(types, null);
                break;
            case HandleKind.MemberReference:
                var reference = reader.GetMemberReference((MemberReferenceHandle)handle);
                if (reference.Parent.Kind == HandleKind.MethodDefinition)
                    ReadMember(reference.Parent);
                else
                    types.AddType(reference.Parent);
                if (reference.GetKind() == MemberReferenceKind.Method)
                    reference.DecodeMethodSignature(types, null);
                else
                    reference.DecodeFieldSignature(types, null);
                break;
            case HandleKind.MethodSpecification:
                var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                ReadMember(specification.Method);
                specification.DecodeSignature(types, null);
                break;
            case HandleKind.StandaloneSignature:
                var signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (signature.GetKind() == StandaloneSignatureKind.Method)
                    signature.DecodeMethodSignature(types, null);
                else
                    signature.DecodeLocalSignature(types, null);
                break;
        }
    }

    private void ReadGenericParameters(GenericParameterHandleCollection parameters)
    {
        foreach (var parameterHandle in parameters)
        {
            var parameter = reader.GetGenericParameter(parameterHandle);
            ReadAttributes(parameter.GetCustomAttributes());
            foreach (var constraintHandle in parameter.GetConstraints())
            {
                var constraint = reader.GetGenericParameterConstraint(constraintHandle);
                types.AddType(constraint.Type);
                ReadAttributes(constraint.GetCustomAttributes());
            }
        }
    }

    private void ReadAttributes(CustomAttributeHandleCollection attributes)
    {
        foreach (var attributeHandle in attributes)
        {
            var attribute = reader.GetCustomAttribute(attributeHandle);
            ReadMember(attribute.Constructor);
            attribute.DecodeValue(types);
        }
    }

    /// <summary>Attributes what the collector found since the last call to <paramref name="from"/>.<paramref name="member"/>.</summary>
    private void Record(string folder, string from, string member, string kind)
    {
        foreach (var target in types.Take())
        {
            var (toFolder, to, _) = Owner(target);
            if (toFolder is not null)
                graph.AddUse(folder, toFolder, new TypeUse(from, member, kind, to));
        }
    }

    /// <summary>
    /// The folder of a type (a nested type's is its outermost type's), the user-written type to name in a report
    /// (a closure or state machine's enclosing type), and for such generated types the member they were made for.
    /// </summary>
    private (string? Folder, string Name, Generated? Generated) Owner(TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        Generated? generated = null;
        while (!type.GetDeclaringType().IsNil && reader.GetString(type.Name).StartsWith('<'))
        {
            // "<PullAsync>d__5" names its member; "<>c__DisplayClass5_0" and "<>c" do not.
            var name = reader.GetString(type.Name);
            generated ??= new Generated(Clean(name) == name ? "" : Clean(name));
            handle = type.GetDeclaringType();
            type = reader.GetTypeDefinition(handle);
        }
        var outermost = type;
        while (!outermost.GetDeclaringType().IsNil)
            outermost = reader.GetTypeDefinition(outermost.GetDeclaringType());
        return (FolderGraph.FolderOf(reader.GetString(outermost.Namespace)), TypeCollector.FullName(reader, handle), generated);
    }

    /// <summary>A closure or state machine type, and the member it was made for ("" when its name does not say).</summary>
    private sealed record Generated(string Member);

    /// <summary>"&lt;PullAsync&gt;d__5" and "&lt;Resolve&gt;b__0" → the member they were generated for; other names as they are.</summary>
    private static string Clean(string name)
    {
        var close = name.IndexOf('>');
        return name.StartsWith('<') && close > 1 ? name[1..close] : name;
    }
}
