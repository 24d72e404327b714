using System.Text.RegularExpressions;

namespace Acs.Core.Tenants;

/// <summary>What a tenant subdomain may be: one lower-case DNS label that is not kept for the product itself.</summary>
public static partial class SubdomainRules
{
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "www", "api", "admin", "app", "apps", "mail", "smtp", "imap", "pop", "ftp", "status", "statuspage", "support",
        "help", "docs", "blog", "cdn", "static", "assets", "auth", "login", "sso", "saml", "oauth", "id", "account",
        "accounts", "billing", "dashboard", "manage", "console", "dev", "staging", "test", "localhost", "ns1", "ns2",
    };

    public static bool IsWellFormed(string? subdomain) => subdomain is not null && LabelPattern().IsMatch(subdomain);

    public static bool IsReserved(string subdomain) => Reserved.Contains(subdomain);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();
}
