using Acs.Api.Tenants;
using Acs.Core.Saml.Metadata;

namespace Acs.Api.Saml;

/// <summary>The tenant's SP metadata, the file an administrator uploads to Entra ("Upload metadata file").</summary>
public static class SamlMetadataEndpoints
{
    public static IEndpointRouteBuilder MapSamlMetadataEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/sso/saml").RequireTenantSite().ExcludeFromDescription().MapGet("/metadata", Metadata);
        return app;
    }

    private static IResult Metadata(HttpContext http)
    {
        var site = http.GetTenantSite();
        var encryption = site.Tenant.EncryptionKeys.Where(k => k.IsPublished).Select(k => k.CertificateDer).ToList();
        return TypedResults.Text(SpMetadataWriter.Write(site.SpEntityId, site.AcsUrl, encryption), "application/samlmetadata+xml",
            System.Text.Encoding.UTF8);
    }
}
