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

/// <summary>What a request's host is: a company's site, a company name nobody has, or the service's own address.</summary>
public enum HostKind
{
    TenantSite,
    UnknownTenant,
    ServiceHost,
}

/// <summary>How the host of a request was read; <see cref="Site"/> only for <see cref="HostKind.TenantSite"/>.</summary>
public sealed record HostResolution(HostKind Kind, TenantSite? Site, PublicUrlTemplate Template);

public static class TenantSiteExtensions
{
    /// <summary>
    /// Resolves the tenant from the Host header (X-Forwarded-Host only from configured proxies, applied earlier by the
    /// forwarded-headers middleware). An unknown subdomain ends the request with a 404 page; a host that names no
    /// company at all (bare <c>localhost</c>, <c>127.0.0.1</c>, the base domain) gets the service's own page.
    /// </summary>
    public static RouteGroupBuilder RequireTenantSite(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var host = await http.ResolveHostAsync();
            return host.Kind switch
            {
                HostKind.TenantSite => await next(context),
                HostKind.UnknownTenant => ErrorResults.UnknownSite(http, host.Template),
                _ => ErrorResults.NotATenantSite(http),
            };
        });
        return group;
    }

    /// <summary>Reads the host once per request (the tenant from the directory when it names one).</summary>
    public static async Task<HostResolution> ResolveHostAsync(this HttpContext http)
    {
        if (http.Features.Get<HostResolution>() is { } resolved)
        {
            return resolved;
        }

        var resolution = await ResolveAsync(http);
        http.Features.Set(resolution);
        if (resolution.Site is not null)
        {
            http.Features.Set(resolution.Site);
        }

        return resolution;
    }

    /// <summary>The template the host matches, read from the host alone (no directory lookup); null for the service's own host.</summary>
    public static PublicUrlTemplate? MatchTemplate(this HttpContext http, out string subdomain)
    {
        var settings = http.RequestServices.GetRequiredService<AcsSettings>();
        foreach (var template in settings.PublicUrls)
        {
            if (template.TryMatchHost(http.Request.Host.Value, out subdomain))
            {
                return template;
            }
        }

        subdomain = string.Empty;
        return null;
    }

    public static TenantSite GetTenantSite(this HttpContext http) =>
        http.Features.Get<TenantSite>() ?? throw new InvalidOperationException("the tenant filter did not run");

    private static async Task<HostResolution> ResolveAsync(HttpContext http)
    {
        var settings = http.RequestServices.GetRequiredService<AcsSettings>();
        if (http.MatchTemplate(out var subdomain) is not { } template)
        {
            return new HostResolution(HostKind.ServiceHost, null, settings.PublicUrls[0]);
        }

        var directory = http.RequestServices.GetRequiredService<ITenantDirectory>();
        var tenant = await directory.FindBySubdomainAsync(subdomain, http.RequestAborted);
        return tenant is null
            ? new HostResolution(HostKind.UnknownTenant, null, template)
            : new HostResolution(HostKind.TenantSite, new TenantSite(tenant, template), template);
    }
}
