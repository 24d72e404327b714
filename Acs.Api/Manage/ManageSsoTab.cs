using System.Text;
using Acs.Api.Login;
using Acs.Api.Pages;
using Acs.Api.Tenants;
using Acs.Core.Administration;
using Acs.Core.Login;
using Acs.Core.Manage;
using Acs.Core.Members;
using Acs.Core.Saml.Metadata;
using Acs.Core.Tenants;
using FluentValidation;

namespace Acs.Api.Manage;

/// <summary>The Single Sign-on tab: what to type into Entra, the IdP's settings, the trusted certificates, a test sign-in.</summary>
public static partial class ManageEndpoints
{
    /// <summary>The largest upload (metadata, or a .cer file) with room for the form's other fields.</summary>
    public const long MaxSsoFormBytes = IdpMetadataParser.MaxCharacters + (64 * 1024);

    private const int MaxCertificateFileBytes = 64 * 1024;

    private static void MapSsoTab(RouteGroupBuilder pages)
    {
        pages.MapGet("/sso", ShowSso);
        pages.MapPost("/sso", SaveSso).RequireAntiforgeryToken().WithFormOptions(multipartBodyLengthLimit: MaxSsoFormBytes);
        pages.MapPost("/sso/certificates", AddCertificate).RequireAntiforgeryToken().WithFormOptions(multipartBodyLengthLimit: MaxSsoFormBytes);
        pages.MapPost("/sso/certificates/remove", RemoveCertificate).RequireAntiforgeryToken();
        // A GET like /sso/saml/login itself: starting a sign-in changes nothing another site could abuse.
        pages.MapGet("/sso/test", StartTest);
    }

    internal static async Task<IResult> ShowSso(HttpContext http, string? done, SignInLog log, TimeProvider time, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        var idp = site.Tenant.Idp;
        var form = new SsoForm(idp?.SsoTargetUrl, idp?.IdpEntityId, null);
        return await SsoPageAsync(http, site, form, new Dictionary<string, string>(), DoneMessage(done), log, time, StatusCodes.Status200OK, cancellationToken);
    }

    internal static async Task<IResult> SaveSso(HttpContext http, SsoAdministration sso, IValidator<SsoSettingsRequest> validator, SignInLog log,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        if (await ReadFormAsync(http) is not { } form)
        {
            return ManagePages.BadForm(http, site);
        }

        var typed = new SsoForm(Field(form, "ssoTargetUrl")?.Trim(), Field(form, "idpEntityId")?.Trim(), Field(form, "certificate"));
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);

        // Federation Metadata XML, when uploaded, sets the URL, the identifier and every signing certificate at once.
        if (form.Files.GetFile("metadata") is { Length: > 0 } metadataFile)
        {
            var xml = await ReadUploadAsync(metadataFile, IdpMetadataParser.MaxCharacters, cancellationToken);
            if (xml is null)
            {
                errors["metadata"] = $"The metadata is larger than {IdpMetadataParser.MaxCharacters / 1024} KiB; upload the metadata of the one IdP.";
            }
            else
            {
                var imported = await sso.ImportMetadataAsync(site.Subdomain, xml, cancellationToken);
                if (imported.Error is null)
                {
                    return new SeeOther(SsoPath + "?done=metadata");
                }

                errors["metadata"] = imported.Error.Message;
            }

            return await SsoPageAsync(http, site, typed, errors, null, log, time, StatusCodes.Status400BadRequest, cancellationToken);
        }

        var certificate = typed.Certificate;
        if (form.Files.GetFile("certificateFile") is { Length: > 0 } certificateFile)
        {
            certificate = await ReadCertificateFileAsync(certificateFile, cancellationToken);
        }

        // The administrator edits the IdP only; the sign-in policy set through the admin API stays as it is.
        var policy = site.Tenant.Policy;
        var request = new SsoSettingsRequest
        {
            SsoTargetUrl = typed.SsoTargetUrl,
            IdpEntityId = typed.IdpEntityId,
            Certificate = certificate,
            JitEnabled = policy.JitEnabled,
            DefaultRole = policy.DefaultRole,
            AllowedEmailDomains = policy.AllowedEmailDomains.ToList(),
            AllowSha1 = policy.AllowSha1,
            ClockSkewSeconds = policy.ClockSkewSeconds,
            AllowIdpInitiated = policy.AllowIdpInitiated,
            RoleMappings = policy.RoleMappings.ToDictionary(m => m.Key, m => (string?)m.Value, StringComparer.Ordinal),
            EncryptedAssertions = policy.EncryptedAssertions == Acs.Core.Saml.Encryption.EncryptedAssertionPolicy.Required
                ? Acs.Core.Saml.Encryption.EncryptedAssertionPolicies.Required
                : Acs.Core.Saml.Encryption.EncryptedAssertionPolicies.Optional,
        };

        var validation = await validator.ValidateAsync(request, cancellationToken);
        foreach (var failure in validation.Errors)
        {
            errors.TryAdd(FormField(failure.PropertyName), failure.ErrorMessage);
        }

        if (errors.Count == 0)
        {
            var saved = await sso.ConfigureAsync(site.Subdomain, request, cancellationToken);
            if (saved.Error is null)
            {
                return new SeeOther(SsoPath + "?done=saved");
            }

            errors[FormField(saved.Error.Field ?? "ssoTargetUrl")] = saved.Error.Message;
        }

        return await SsoPageAsync(http, site, typed, errors, null, log, time, StatusCodes.Status400BadRequest, cancellationToken);
    }

    internal static async Task<IResult> AddCertificate(HttpContext http, SsoAdministration sso, IValidator<AddCertificateRequest> validator,
        SignInLog log, TimeProvider time, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        if (await ReadFormAsync(http) is not { } form)
        {
            return ManagePages.BadForm(http, site);
        }

        var text = Field(form, "newCertificate");
        if (form.Files.GetFile("newCertificateFile") is { Length: > 0 } file)
        {
            text = await ReadCertificateFileAsync(file, cancellationToken);
        }

        var request = new AddCertificateRequest(text);
        var validation = await validator.ValidateAsync(request, cancellationToken);
        string? error = validation.Errors.FirstOrDefault()?.ErrorMessage;
        var status = StatusCodes.Status400BadRequest;
        if (error is null)
        {
            var added = await sso.AddCertificateAsync(site.Subdomain, request, cancellationToken);
            if (added.Error is null)
            {
                return new SeeOther(SsoPath + "?done=added");
            }

            error = added.Error.Message;
            status = added.Error.Kind == AdminErrorKind.Conflict ? StatusCodes.Status409Conflict : status;
        }

        var idp = site.Tenant.Idp;
        return await SsoPageAsync(http, site, new SsoForm(idp?.SsoTargetUrl, idp?.IdpEntityId, null),
            new Dictionary<string, string> { ["newCertificate"] = error }, null, log, time, status, cancellationToken);
    }

    internal static async Task<IResult> RemoveCertificate(HttpContext http, SsoAdministration sso, SignInLog log, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        if (await ReadFormAsync(http) is not { } form || Field(form, "thumbprint") is not { Length: > 0 and <= 128 } thumbprint)
        {
            return ManagePages.BadForm(http, site);
        }

        if (await sso.RemoveCertificateAsync(site.Subdomain, thumbprint, cancellationToken) is not { } error)
        {
            return new SeeOther(SsoPath + "?done=removed");
        }

        var idp = site.Tenant.Idp;
        var status = error.Kind == AdminErrorKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status404NotFound;
        return await SsoPageAsync(http, site, new SsoForm(idp?.SsoTargetUrl, idp?.IdpEntityId, null),
            new Dictionary<string, string> { ["certificates"] = error.Message }, null, log, time, status, cancellationToken);
    }

    /// <summary>An SP-initiated sign-in, as an employee's would be, that comes back to this tab with its result.</summary>
    internal static async Task<IResult> StartTest(HttpContext http, LoginService login, TimeProvider time, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        ManageCookies.IssueTest(http, site, time.GetUtcNow());
        return await LoginEndpoints.StartSignIn(http, login, time, SsoPath + "?done=test", cancellationToken);
    }

    private static async Task<IResult> SsoPageAsync(HttpContext http, TenantSite site, SsoForm form, IReadOnlyDictionary<string, string> errors,
        string? done, SignInLog log, TimeProvider time, int status, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        SsoTestView? test = null;
        if (ManageCookies.TestStartedAt(http, site, now) is { } startedAt)
        {
            var result = await log.TestResultAsync(site.Tenant.Id, startedAt, UserAgent(http), cancellationToken);
            test = new SsoTestView(startedAt, result);
        }

        var certificates = (site.Tenant.Idp?.Certificates ?? [])
            .OrderBy(c => c.NotAfter)
            .Select(c => new CertificateView(c.Subject, c.ThumbprintSha256, c.NotAfter, CertificateStatus.Of(c.NotAfter, now)))
            .ToList();
        var model = new SsoTabModel(site.SpEntityId, site.AcsUrl, site.BaseUrl + "/sso/saml/login", "/sso/saml/metadata",
            site.Tenant.Idp is not null, form, errors, certificates, done, test, MemberRoles.DisplayName);
        var result2 = PageResults.Page<SsoTab>(http, new { Context = Context(http, ManageTabs.Sso), Model = model }, status);
        ManagePages.AllowOwnScript(http);
        return result2;
    }

    private static string? DoneMessage(string? done) => done switch
    {
        "saved" => "Configuration saved. Test it with the Test single sign-on button below.",
        "metadata" => "Federation Metadata XML imported: the SSO Target URL, the Microsoft Entra Identifier and every signing certificate are set.",
        "added" => "Certificate added. Both certificates are trusted until you remove one.",
        "removed" => "Certificate removed.",
        _ => null,
    };

    /// <summary>"SsoTargetUrl" → "ssoTargetUrl": the form's field names are the admin API's JSON names.</summary>
    internal static string FormField(string propertyName) =>
        string.IsNullOrEmpty(propertyName) ? "form" : char.ToLowerInvariant(propertyName[0]) + propertyName[1..];

    /// <summary>As the ACS stores it, so a test finds its own login event.</summary>
    private static string UserAgent(HttpContext http)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        return agent.Length <= 512 ? agent : agent[..512];
    }

    private static async Task<byte[]?> ReadUploadAsync(IFormFile file, long maxBytes, CancellationToken cancellationToken)
    {
        if (file.Length > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await using var stream = file.OpenReadStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Entra's Certificate (Base64) download is PEM text; a Certificate (Raw) download is DER, given to the parser as base64.</summary>
    private static async Task<string?> ReadCertificateFileAsync(IFormFile file, CancellationToken cancellationToken)
    {
        if (await ReadUploadAsync(file, MaxCertificateFileBytes, cancellationToken) is not { } bytes)
        {
            return "too large";
        }

        var isText = bytes.All(b => b is (>= 0x20 and < 0x7F) or (byte)'\r' or (byte)'\n' or (byte)'\t');
        return isText ? Encoding.ASCII.GetString(bytes) : Convert.ToBase64String(bytes);
    }
}

public sealed record SsoForm(string? SsoTargetUrl, string? IdpEntityId, string? Certificate);

public sealed record CertificateView(string Subject, string ThumbprintSha256, DateTimeOffset NotAfter, string Status);

/// <param name="Result">The login event of the test; null while none is recorded yet.</param>
public sealed record SsoTestView(DateTimeOffset StartedAt, SignInLogEntry? Result);

public sealed record SsoTabModel(
    string SpEntityId,
    string AcsUrl,
    string SignOnUrl,
    string MetadataUrl,
    bool Configured,
    SsoForm Form,
    IReadOnlyDictionary<string, string> Errors,
    IReadOnlyList<CertificateView> Certificates,
    string? Done,
    SsoTestView? Test,
    Func<string, string> RoleName);
