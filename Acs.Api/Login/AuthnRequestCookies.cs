using Acs.Api.Tenants;
using Acs.Core.Login;

namespace Acs.Api.Login;

/// <summary>
/// The cookie that binds an SP-initiated sign-in to the browser that started it: one per request (two tabs may sign
/// in at once), named after the request ID, holding <see cref="AuthnRequestBinding"/>'s keyed hash. It must come back
/// on the IdP's cross-site form POST, which Lax cookies do not: SameSite=None; Secure, HttpOnly, only for the ACS path,
/// as long as the request lives. A plain-http site cannot set Secure, and SameSite=None without it is refused by
/// browsers, so there the attribute is left out (each browser's default then decides).
/// </summary>
public static class AuthnRequestCookies
{
    public const string Path = "/sso/saml/consume";

    /// <summary>Enough for every tab a person plausibly has open; more cookies than this are not looked at.</summary>
    private const int MaxBindingsRead = 32;

    public static string Prefix(TenantSite site) => site.Template.IsHttps ? "__Secure-acs_authn" : "acs_authn";

    public static void Issue(HttpContext http, TenantSite site, StartedSignIn started) =>
        http.Response.Cookies.Append(Prefix(site) + started.RequestId, started.BindingValue, Options(site, started.Lifetime));

    public static void Clear(HttpContext http, TenantSite site, string requestId) =>
        http.Response.Cookies.Delete(Prefix(site) + requestId, Options(site, lifetime: null));

    /// <summary>The binding values the browser sent, by request ID.</summary>
    public static IReadOnlyDictionary<string, string> Read(HttpContext http, TenantSite site)
    {
        var prefix = Prefix(site);
        var bindings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in http.Request.Cookies)
        {
            if (name.Length > prefix.Length && name.Length <= prefix.Length + 64 && name.StartsWith(prefix, StringComparison.Ordinal))
            {
                bindings.TryAdd(name[prefix.Length..], value);
                if (bindings.Count == MaxBindingsRead)
                {
                    break;
                }
            }
        }

        return bindings;
    }

    private static CookieOptions Options(TenantSite site, TimeSpan? lifetime) => new()
    {
        HttpOnly = true,
        Secure = site.Template.IsHttps,
        SameSite = site.Template.IsHttps ? SameSiteMode.None : SameSiteMode.Unspecified,
        Path = Path,
        MaxAge = lifetime,
        IsEssential = true,
    };
}
