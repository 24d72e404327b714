namespace Acs.Core.Tenants;

/// <summary>
/// A public base URL of tenant sites, such as <c>https://{subdomain}.statuspage.io</c>. It turns a request host into
/// a subdomain, and a subdomain into the tenant's SP entity ID, ACS URL and metadata URL.
/// </summary>
public sealed class PublicUrlTemplate
{
    public const string Placeholder = "{subdomain}";

    private readonly string _hostSuffix;   // ".statuspage.io"
    private readonly int? _port;

    private PublicUrlTemplate(string template, string scheme, string hostSuffix, int? port)
    {
        Template = template;
        Scheme = scheme;
        _hostSuffix = hostSuffix;
        _port = port;
    }

    public string Template { get; }
    public string Scheme { get; }
    public bool IsHttps => Scheme == "https";

    public static bool TryParse(string? template, out PublicUrlTemplate? result, out string? error)
    {
        result = null;
        error = null;
        if (string.IsNullOrWhiteSpace(template))
        {
            error = "is empty";
            return false;
        }

        var trimmed = template.Trim().TrimEnd('/');
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = $"'{template}' has no scheme (expected e.g. https://{Placeholder}.statuspage.io)";
            return false;
        }

        var scheme = trimmed[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            error = $"'{template}' must use http or https";
            return false;
        }

        var authority = trimmed[(schemeEnd + 3)..];
        if (!authority.StartsWith(Placeholder + ".", StringComparison.Ordinal) || authority.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{template}' must look like {scheme}://{Placeholder}.example.com[:port] with no path";
            return false;
        }

        var rest = authority[Placeholder.Length..];
        int? port = null;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
                || p is < 1 or > 65535)
            {
                error = $"'{template}' has an invalid port";
                return false;
            }

            port = p;
            rest = rest[..colon];
        }

        var probe = "tenant" + rest;
        if (rest.Length < 2 || Uri.CheckHostName(probe) != UriHostNameType.Dns)
        {
            error = $"'{template}' has an invalid domain";
            return false;
        }

        result = new PublicUrlTemplate(trimmed, scheme, rest.ToLowerInvariant(), port);
        return true;
    }

    /// <summary>Matches a request host (with optional port) to this template and returns the subdomain.</summary>
    public bool TryMatchHost(string? host, out string subdomain)
    {
        subdomain = string.Empty;
        if (string.IsNullOrEmpty(host) || host.Length > 300)
        {
            return false;
        }

        var name = host.ToLowerInvariant();
        int? port = null;
        var colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(name[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p))
            {
                return false;
            }

            port = p;
            name = name[..colon];
        }

        if (port is not null && port != (_port ?? DefaultPort) || port is null && _port is not null && _port != DefaultPort)
        {
            return false;
        }

        if (!name.EndsWith(_hostSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        var candidate = name[..^_hostSuffix.Length];
        if (!SubdomainRules.IsWellFormed(candidate))
        {
            return false;
        }

        subdomain = candidate;
        return true;
    }

    private int DefaultPort => IsHttps ? 443 : 80;

    public string BaseUrl(string subdomain) =>
        $"{Scheme}://{subdomain}{_hostSuffix}{(_port is null ? string.Empty : ":" + _port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}";

    /// <summary>The address with no company in it (<c>https://statuspage.io</c>): the service's own, not a tenant site.</summary>
    public string ServiceBaseUrl =>
        $"{Scheme}://{_hostSuffix[1..]}{(_port is null ? string.Empty : ":" + _port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}";

    /// <summary>The SP entity ID (Entra's "Identifier"): the tenant's base URL with a trailing slash.</summary>
    public string SpEntityId(string subdomain) => BaseUrl(subdomain) + "/";

    /// <summary>The ACS URL (Entra's "Reply URL").</summary>
    public string AcsUrl(string subdomain) => BaseUrl(subdomain) + "/sso/saml/consume";

    public string MetadataUrl(string subdomain) => BaseUrl(subdomain) + "/sso/saml/metadata";

    public override string ToString() => Template;
}
