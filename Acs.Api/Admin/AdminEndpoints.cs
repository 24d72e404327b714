namespace Acs.Api.Admin;

/// <summary>
/// The operator's administration API under <c>/admin</c>. Conventions are set once on the group: the API-key
/// filter, problem-details answers and the OpenAPI tag; each feature file maps its own routes on it.
/// </summary>
public static class AdminEndpoints
{
    public static RouteGroupBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        // A bearer-key JSON API: no browser form and no cookie to forge, so no antiforgery token.
        var admin = app.MapGroup("/admin")
            .DisableAntiforgery()
            .AddEndpointFilter<AdminApiKeyFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithTags(TenantAdminEndpoints.Tag);

        var tenants = admin.MapGroup("/tenants");
        tenants.MapTenantAdminEndpoints();
        tenants.MapSsoAdminEndpoints();
        tenants.MapEncryptionKeyAdminEndpoints();
        tenants.MapMemberAdminEndpoints();
        tenants.MapLoginEventAdminEndpoints();
        tenants.MapRolloverAdminEndpoints();
        admin.MapCertificateAdminEndpoints();
        tenants.MapSetupLinkAdminEndpoints();
        return admin;
    }
}
