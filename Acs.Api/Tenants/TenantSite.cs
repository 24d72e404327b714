using Acs.Api.Hosting;
using Acs.Api.Pages;
using Acs.Core.Tenants;

namespace Acs.Api.Tenants;

/// <summary>The tenant a request's host names, and the public URL template it matched.</summary>
public sealed record TenantSite(Tenant Tenant, PublicUrlTemplate Template)
{
    public string Subdomain => Tenant.Subdomain;
    public string SpEntityId => Template.SpEntityId(Subdomain);
    public string AcsUrl => Template.AcsUrl(Subdomain);
    public string BaseUrl => Template.BaseUrl(Subdomain);

    /// <summary>The session cookie: <c>__Host-</c> prefixed (host-only, Secure, Path=/) on https sites.</summary>
    public string SessionCookieName => Template.IsHttps ? "__Host-acs_session" : "acs_session";
}

public static class TenantSiteExtensions
{
    /// <summary>
    /// Resolves the tenant from the Host header (X-Forwarded-Host only from configured proxies, applied earlier by the
    /// forwarded-headers middleware). An unknown subdomain ends the request with a 404 page.
    /// </summary>
    public static RouteGroupBuilder RequireTenantSite(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var settings = http.RequestServices.GetRequiredService<AcsSettings>();
            var host = http.Request.Host.Value;
            foreach (var template in settings.PublicUrls)
            {
                if (template.TryMatchHost(host, out var subdomain))
                {
                    var directory = http.RequestServices.GetRequiredService<ITenantDirectory>();
                    var tenant = await directory.FindBySubdomainAsync(subdomain, http.RequestAborted);
                    if (tenant is not null)
                    {
                        http.Features.Set(new TenantSite(tenant, template));
                        return await next(context);
                    }

                    return ErrorResults.UnknownSite(http);
                }
            }

            // A host that is no tenant site at all (bare localhost, the service's own name): say where the sites are.
            var demo = http.RequestServices.GetService<Acs.Core.DevelopmentIdp.DevelopmentIdpResponseIssuer>() is null
                ? null
                : settings.PublicUrls[0].BaseUrl(Acs.Api.DevelopmentIdp.DevelopmentIdpEndpoints.DemoSubdomain) + "/";
            return ErrorResults.NotATenantSite(http, settings.PublicUrls[0].Template, demo);
        });
        return group;
    }

    public static TenantSite GetTenantSite(this HttpContext http) =>
        http.Features.Get<TenantSite>() ?? throw new InvalidOperationException("the tenant filter did not run");
}
