using Amazon.CDK;

namespace HfSageMaker.Constructs.Internal;

/// <summary>Detects CDK tokens in strings, so format checks skip values only known at deployment.</summary>
internal static class CdkTokens
{
    /// <summary>
    /// True when the string holds an unresolved token. The cheap marker test (<c>${Token[</c>) avoids a jsii call for
    /// ordinary strings; <see cref="Token.IsUnresolved(object)"/> confirms it.
    /// </summary>
    public static bool IsUnresolved(string? value) =>
        value is not null
        && (value.Contains("${Token[", StringComparison.Ordinal) || value.Contains("#{Token[", StringComparison.Ordinal))
        && Token.IsUnresolved(value);
}
