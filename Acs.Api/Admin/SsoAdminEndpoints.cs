using Acs.Core.Administration;
using Acs.Core.Rollover;
using Acs.Core.Saml.Metadata;
using Acs.Core.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Admin;

/// <summary>A tenant's SSO: settings with a pasted certificate, IdP metadata import, certificate rollover.</summary>
public static class SsoAdminEndpoints
{
    private static readonly string[] MetadataContentTypes = ["application/xml", "text/xml", "application/samlmetadata+xml"];

    internal static void MapSsoAdminEndpoints(this RouteGroupBuilder tenants)
    {
        var sso = tenants.MapGroup("/{subdomain}/sso").ProducesProblem(StatusCodes.Status404NotFound);
        sso.MapPut("/", ConfigureSso).ValidateBody<SsoSettingsRequest>()
            .WithSummary("Configures SSO from the administrator's settings and pasted certificate, or from the IdP's metadata URL (fetched now and then on a schedule).");
        sso.MapPost("/metadata", ImportMetadata)
            .WithRequestBody<string>("application/xml", "text/xml")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Imports the IdP's metadata XML (Entra's Federation Metadata XML): entity ID, sign-in URL, all signing certificates.");
        sso.MapPost("/certificates", AddCertificate).ValidateBody<AddCertificateRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Trusts one more IdP signing certificate (rollover, before the IdP switches).");
        sso.MapDelete("/certificates/{thumbprintSha256}", RemoveCertificate)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Stops trusting a certificate; the last one cannot be removed.");
    }

    internal static async Task<Results<Ok<TenantResponse>, ValidationProblem, ProblemHttpResult>> ConfigureSso(
        string subdomain, JsonBody<SsoSettingsRequest> body, SsoAdministration sso, RolloverAdministration rollover, AdminViews views,
        CancellationToken cancellationToken)
    {
        var result = await sso.ConfigureAsync(subdomain, body.Value!, cancellationToken);
        return result.Error switch
        {
            { Kind: AdminErrorKind.Invalid } invalid => AdminProblems.Invalid(invalid),
            { } error => AdminProblems.From(error),
            null => TypedResults.Ok(views.Tenant(result.Value!, await rollover.SourceOfAsync(result.Value!.Id, cancellationToken))),
        };
    }

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> ImportMetadata(
        string subdomain, HttpRequest request, SsoAdministration sso, RolloverAdministration rollover, AdminViews views, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is null || !MetadataContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            return AdminProblems.Problem(StatusCodes.Status400BadRequest, "content_type_unsupported",
                $"Send the metadata XML with 'Content-Type: application/xml' or 'text/xml' (got '{request.ContentType ?? "none"}').");
        }

        var xml = await AdminRequestBody.ReadAsync(request, (int)IdpMetadataParser.MaxCharacters, cancellationToken);
        if (xml is null)
        {
            return AdminProblems.Problem(StatusCodes.Status413PayloadTooLarge, "body_too_large",
                $"The metadata is larger than {IdpMetadataParser.MaxCharacters / 1024} KiB; upload the metadata of the one IdP.");
        }

        var result = await sso.ImportMetadataAsync(subdomain, xml, cancellationToken);
        return result.Error is { } error
            ? AdminProblems.From(error)
            : TypedResults.Ok(views.Tenant(result.Value!, await rollover.SourceOfAsync(result.Value!.Id, cancellationToken)));
    }

    internal static async Task<Results<Created<TenantResponse>, ValidationProblem, ProblemHttpResult>> AddCertificate(
        string subdomain, JsonBody<AddCertificateRequest> body, SsoAdministration sso, RolloverAdministration rollover, AdminViews views,
        CancellationToken cancellationToken)
    {
        var result = await sso.AddCertificateAsync(subdomain, body.Value!, cancellationToken);
        return result.Error switch
        {
            { Kind: AdminErrorKind.Invalid } invalid => AdminProblems.Invalid(invalid),
            { } error => AdminProblems.From(error),
            null => TypedResults.Created($"/admin/tenants/{subdomain}/sso/certificates/{result.Value.ThumbprintSha256}", views.Tenant(result.Value.Tenant, await rollover.SourceOfAsync(result.Value.Tenant.Id, cancellationToken))),
        };
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveCertificate(
        string subdomain, string thumbprintSha256, SsoAdministration sso, CancellationToken cancellationToken) =>
        await sso.RemoveCertificateAsync(subdomain, thumbprintSha256, cancellationToken) is { } error
            ? AdminProblems.From(error)
            : TypedResults.NoContent();
}
