namespace Acs.Core.Rollover;

/// <summary>Which metadata URLs the service may fetch: https, to an allow-listed host, on the default port or any.</summary>
public static class MetadataUrlRules
{
    public const string UrlInvalid = "metadata_url_invalid";
    public const string HostNotAllowed = "metadata_url_host_not_allowed";

    /// <summary>Null when the URL may be fetched; else the refusal's code and sentence.</summary>
    public static (string Code, string Message)? Check(string? url, IReadOnlyList<string> allowedHosts)
    {
        if (!Tenants.SsoRules.IsHttpsUrl(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return (UrlInvalid, "The metadata URL must be an absolute https URL without credentials, e.g. Entra's App Federation Metadata Url "
                + "https://login.microsoftonline.com/<tenant-id>/federationmetadata/2007-06/federationmetadata.xml?appid=<app-id>.");
        }

        return IsAllowedHost(uri.IdnHost, allowedHosts)
            ? null
            : (HostNotAllowed, $"The service does not fetch metadata from '{uri.Host}'; allowed hosts: {string.Join(", ", allowedHosts)}. "
                + "The operator can extend the list (Acs__MetadataRefresh__AllowedHosts__0..n).");
    }

    /// <summary>Exact names, or <c>*.domain</c> for any name below domain (not domain itself). Case-insensitive; a trailing dot is ignored.</summary>
    public static bool IsAllowedHost(string host, IReadOnlyList<string> allowedHosts)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var pattern in allowedHosts)
        {
            var p = pattern.Trim().TrimEnd('.').ToLowerInvariant();
            if (p.StartsWith("*.", StringComparison.Ordinal))
            {
                if (name.Length > p.Length - 1 && name.EndsWith(p[1..], StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (p.Length > 0 && name == p)
            {
                return true;
            }
        }

        return false;
    }
}
