using Acs.Api.Tenants;
using Acs.Core.Login;
using Acs.Core.Sessions;

namespace Acs.Api.Sessions;

public static class SessionCookies
{
    /// <summary>Max-Age rather than Expires: the browser's clock may differ from ours, a lifetime does not.</summary>
    public static void Issue(HttpContext http, TenantSite site, string token, TimeSpan lifetime) =>
        http.Response.Cookies.Append(site.SessionCookieName, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = site.Template.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            MaxAge = lifetime,
        });

    public static void Clear(HttpContext http, TenantSite site) =>
        http.Response.Cookies.Delete(site.SessionCookieName, new CookieOptions
        {
            HttpOnly = true,
            Secure = site.Template.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
        });

    /// <summary>The hash of the well-formed session token the request carries, if any.</summary>
    public static byte[]? TokenHash(HttpContext http, TenantSite site)
    {
        var token = http.Request.Cookies[site.SessionCookieName];
        return SessionTokens.IsWellFormed(token) ? SessionTokens.Hash(token!) : null;
    }
}
