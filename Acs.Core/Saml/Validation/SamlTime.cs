using System.Globalization;
using System.Text.RegularExpressions;

namespace Acs.Core.Saml.Validation;

/// <summary>Strict xs:dateTime parsing. SAML times are UTC; a value without a zone is read as UTC.</summary>
internal static partial class SamlTime
{
    public static bool TryParse(string? value, out DateTimeOffset result)
    {
        result = default;
        if (value is null || value.Length > 64)
        {
            return false;
        }

        var match = DateTimePattern().Match(value);
        if (!match.Success)
        {
            return false;
        }

        // .NET reads at most seven fraction digits; some IdPs send nine. Sub-100ns precision is irrelevant here.
        var fraction = match.Groups["fraction"].Value;
        var normalized = fraction.Length > 8
            ? string.Concat(match.Groups["main"].Value, fraction.AsSpan(0, 8), match.Groups["zone"].Value)
            : value;

        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out result);
    }

    [GeneratedRegex(@"^(?<main>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?<fraction>\.[0-9]+)?(?<zone>Z|[+-][0-9]{2}:[0-9]{2})?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();
}
