using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Acs.Core.Certificates;
using Acs.Core.EncryptionKeys;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;

namespace Acs.Api.Admin;

/// <param name="Status"><c>active</c> (published in the SP metadata, decrypts) or <c>decrypt-only</c> (decrypts only).</param>
/// <param name="Certificate">The certificate, base64 DER: what Entra's Token encryption upload takes (as a .cer file).</param>
/// <param name="CertificateStatus"><c>valid</c>, <c>expiring</c> (30 days or less left) or <c>expired</c>.</param>
public sealed record EncryptionKeyResponse(
    Guid Id,
    string Status,
    string ThumbprintSha256,
    string ThumbprintSha1,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    int ExpiresInDays,
    string CertificateStatus,
    string Certificate,
    string CertificateUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset StatusChangedAt);

public sealed record EncryptionKeyListResponse(IReadOnlyList<EncryptionKeyResponse> Items);

/// <summary>
/// A tenant's SP encryption keys for Entra's token encryption: generate, list, change the status, remove, download the
/// certificate. Private keys never leave the service.
/// </summary>
public static class EncryptionKeyAdminEndpoints
{
    internal static void MapEncryptionKeyAdminEndpoints(this RouteGroupBuilder tenants)
    {
        var keys = tenants.MapGroup("/{subdomain}/sso/encryption-keys").ProducesProblem(StatusCodes.Status404NotFound);
        keys.MapPost("/", CreateKey)
            .WithRequestBody<CreateEncryptionKeyRequest>("application/json")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The body is optional: without one the key is created active.
                if (operation.RequestBody is OpenApiRequestBody body)
                {
                    body.Required = false;
                }

                return Task.CompletedTask;
            })
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Generates an RSA-3072 key pair and self-signed certificate for token encryption; active (published) unless the body says decrypt-only.");
        keys.MapGet("/", ListKeys).WithSummary("Lists the tenant's encryption keys, oldest first.");
        keys.MapGet("/{id:guid}", GetKey).WithSummary("Reads one encryption key (its certificate, never its private key).");
        keys.MapPatch("/{id:guid}", ChangeKey).ValidateBody<UpdateEncryptionKeyRequest>()
            .WithSummary("Sets a key active (published in the SP metadata) or decrypt-only (kept while the IdP may still use it).");
        keys.MapDelete("/{id:guid}", RemoveKey).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Removes a key: responses encrypted for it no longer decrypt.");
        keys.MapGet("/{id:guid}/certificate", DownloadCertificate)
            .Produces<string>(StatusCodes.Status200OK, CertificateMediaType)
            .WithSummary("Downloads the key's certificate as a .cer file (Base64/PEM), for Entra's Token encryption upload.");
    }

    private const string CertificateMediaType = "application/x-pem-file";

    internal static async Task<Results<Created<EncryptionKeyResponse>, ValidationProblem, ProblemHttpResult>> CreateKey(
        string subdomain, HttpContext http, IValidator<CreateEncryptionKeyRequest> validator, EncryptionKeyAdministration keys,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var request = new CreateEncryptionKeyRequest();
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var body = await JsonBody<CreateEncryptionKeyRequest>.BindAsync(http, null!);
            if (body.Value is null)
            {
                return body.ErrorCode == JsonBody<CreateEncryptionKeyRequest>.TooLargeCode
                    ? AdminProblems.Problem(StatusCodes.Status413PayloadTooLarge, body.ErrorCode, body.Error!)
                    : AdminProblems.Validation([(body.ErrorField!, body.ErrorCode!, body.Error!)], body.Error);
            }

            request = body.Value;
        }

        if (await validator.CheckAsync(request, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var result = await keys.CreateAsync(subdomain, request, cancellationToken);
        if (result.Error is { } error)
        {
            return AdminProblems.From(error);
        }

        var view = View(subdomain, result.Value!, clock.GetUtcNow());
        return TypedResults.Created($"/admin/tenants/{subdomain}/sso/encryption-keys/{view.Id}", view);
    }

    internal static async Task<Results<Ok<EncryptionKeyListResponse>, ProblemHttpResult>> ListKeys(
        string subdomain, EncryptionKeyAdministration keys, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await keys.ListAsync(subdomain, cancellationToken);
        var now = clock.GetUtcNow();
        return result.Error is { } error
            ? AdminProblems.From(error)
            : TypedResults.Ok(new EncryptionKeyListResponse(result.Value!.Select(k => View(subdomain, k, now)).ToList()));
    }

    internal static async Task<Results<Ok<EncryptionKeyResponse>, ProblemHttpResult>> GetKey(
        string subdomain, Guid id, EncryptionKeyAdministration keys, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await keys.GetAsync(subdomain, id, cancellationToken);
        return result.Error is { } error ? AdminProblems.From(error) : TypedResults.Ok(View(subdomain, result.Value!, clock.GetUtcNow()));
    }

    internal static async Task<Results<Ok<EncryptionKeyResponse>, ValidationProblem, ProblemHttpResult>> ChangeKey(
        string subdomain, Guid id, JsonBody<UpdateEncryptionKeyRequest> body, EncryptionKeyAdministration keys, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var result = await keys.SetStatusAsync(subdomain, id, body.Value!, cancellationToken);
        return result.Error is { } error ? AdminProblems.From(error) : TypedResults.Ok(View(subdomain, result.Value!, clock.GetUtcNow()));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveKey(
        string subdomain, Guid id, EncryptionKeyAdministration keys, CancellationToken cancellationToken) =>
        await keys.RemoveAsync(subdomain, id, cancellationToken) is { } error ? AdminProblems.From(error) : TypedResults.NoContent();

    internal static async Task<IResult> DownloadCertificate(
        string subdomain, Guid id, EncryptionKeyAdministration keys, CancellationToken cancellationToken)
    {
        var result = await keys.GetAsync(subdomain, id, cancellationToken);
        if (result.Error is { } error)
        {
            return AdminProblems.From(error);
        }

        var key = result.Value!;
        var pem = PemEncoding.WriteString("CERTIFICATE", key.CertificateDer) + "\n";
        return TypedResults.File(System.Text.Encoding.ASCII.GetBytes(pem), CertificateMediaType,
            $"{subdomain}-token-encryption-{key.ThumbprintSha256[..8]}.cer");
    }

    private static EncryptionKeyResponse View(string subdomain, SpEncryptionKey key, DateTimeOffset now)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(key.CertificateDer);
        return new EncryptionKeyResponse(key.Id, key.Status, key.ThumbprintSha256, Convert.ToHexString(SHA1.HashData(key.CertificateDer)),
            certificate.Subject, key.NotBefore, key.NotAfter, Core.Tenants.CertificateStatus.ExpiresInDays(key.NotAfter, now),
            Core.Tenants.CertificateStatus.Of(key.NotAfter, now), Convert.ToBase64String(key.CertificateDer),
            $"/admin/tenants/{subdomain}/sso/encryption-keys/{key.Id}/certificate", key.CreatedAt, key.StatusChangedAt);
    }
}
