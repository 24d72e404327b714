using System.ComponentModel.DataAnnotations;
using Acs.Core.Administration;
using Acs.Core.Certificates;
using Acs.Core.EncryptionKeys;
using Acs.Core.Members;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using FluentValidation;
using FluentValidation.Results;

namespace Acs.Core.Tenants;

/// <summary>Body of <c>PUT /admin/tenants/{subdomain}/sso</c>; absent settings take the product's defaults.</summary>
public sealed record SsoSettingsRequest
{
    [Required]
    public string? SsoTargetUrl { get; init; }

    [Required]
    public string? IdpEntityId { get; init; }

    /// <summary>The IdP signing certificate as pasted: PEM, Entra's "Certificate (Base64)", or bare base64. Replaces the trusted set.</summary>
    [Required]
    public string? Certificate { get; init; }

    public bool JitEnabled { get; init; } = true;
    public string? DefaultRole { get; init; } = MemberRoles.TeamMember;
    public IReadOnlyList<string?>? AllowedEmailDomains { get; init; } = [];
    public bool AllowSha1 { get; init; }
    public int ClockSkewSeconds { get; init; } = 180;

    /// <summary>Whether unsolicited (IdP-initiated, My Apps tile) responses are accepted; false allows only SP-initiated sign-in.</summary>
    public bool AllowIdpInitiated { get; init; } = true;

    /// <summary>IdP role claim value → <c>client_administrator</c> or <c>team_member</c>.</summary>
    public IReadOnlyDictionary<string, string?>? RoleMappings { get; init; } = new Dictionary<string, string?>();

    /// <summary><c>optional</c> (plain or encrypted assertions) or <c>required</c> (a plain assertion is refused).</summary>
    public string? EncryptedAssertions { get; init; } = EncryptedAssertionPolicies.Optional;
}

/// <summary>Body of <c>POST /admin/tenants/{subdomain}/sso/certificates</c>.</summary>
public sealed record AddCertificateRequest([property: Required] string? Certificate);

public static partial class SsoRules
{
    public const int MaxClockSkewSeconds = 600;
    public const int MaxUrlLength = 2048;
    public const int MaxEmailDomains = 100;
    public const int MaxRoleMappings = 100;
    public const int MaxRoleClaimLength = 256;

    public static bool IsHttpsUrl(string? url) =>
        url is { Length: <= MaxUrlLength } && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
        && !string.IsNullOrEmpty(uri.Host);

    /// <summary>An absolute URI with its scheme written out (on Unix, .NET also takes "/path" as an absolute file URI).</summary>
    public static bool IsAbsoluteUri(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxUrlLength && value.Trim() == value
        && Uri.TryCreate(value, UriKind.Absolute, out var uri) && value.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase);

    public static bool IsDomain(string? domain) => domain is { Length: <= 253 } && DomainPattern().IsMatch(domain.Trim());

    public static string NormalizeDomain(string domain) => domain.Trim().ToLowerInvariant();

    /// <summary>Adds the certificate parser's refusal, with its code, under <paramref name="field"/>.</summary>
    internal static void CheckCertificate<T>(string? text, ValidationContext<T> context, string field)
    {
        var parsed = CertificateParser.Parse(text);
        if (!parsed.IsValid)
        {
            context.AddFailure(new ValidationFailure(field, parsed.Message) { ErrorCode = parsed.ErrorCode });
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex DomainPattern();
}

public sealed class SsoSettingsRequestValidator : AbstractValidator<SsoSettingsRequest>
{
    public SsoSettingsRequestValidator()
    {
        RuleFor(r => r.SsoTargetUrl).Must(SsoRules.IsHttpsUrl).WithErrorCode("sso_target_url_invalid")
            .WithMessage("The SSO Target URL must be an absolute https URL, e.g. Entra's Login URL https://login.microsoftonline.com/<tenant-id>/saml2.");
        RuleFor(r => r.IdpEntityId).Must(SsoRules.IsAbsoluteUri).WithErrorCode("idp_entity_id_invalid")
            .WithMessage("The IdP entity ID must be an absolute URI, e.g. Entra's Microsoft Entra Identifier https://sts.windows.net/<tenant-id>/.");
        RuleFor(r => r.Certificate).Custom((text, context) => SsoRules.CheckCertificate(text, context, "Certificate"));
        RuleFor(r => r.DefaultRole).Must(MemberRoles.IsKnown).WithErrorCode("default_role_invalid")
            .WithMessage($"The default role must be {MemberRoles.ClientAdministrator} or {MemberRoles.TeamMember}.");
        RuleFor(r => r.ClockSkewSeconds).InclusiveBetween(0, SsoRules.MaxClockSkewSeconds).WithErrorCode("clock_skew_invalid")
            .WithMessage($"The clock skew must be from 0 to {SsoRules.MaxClockSkewSeconds} seconds.");
        RuleFor(r => r.AllowedEmailDomains).Custom((domains, context) =>
        {
            if (domains is null || domains.Count > SsoRules.MaxEmailDomains)
            {
                context.AddFailure(new ValidationFailure("AllowedEmailDomains",
                    $"Give a list of at most {SsoRules.MaxEmailDomains} e-mail domains, or [] to allow any.")
                { ErrorCode = "allowed_email_domains_invalid" });
                return;
            }

            var bad = domains.Where(d => !SsoRules.IsDomain(d)).ToList();
            if (bad.Count > 0)
            {
                context.AddFailure(new ValidationFailure("AllowedEmailDomains",
                    $"Not an e-mail domain: {string.Join(", ", bad.Select(d => $"'{d}'"))} (expected e.g. acme.com, without '@').")
                { ErrorCode = "allowed_email_domains_invalid" });
            }
        });
        RuleFor(r => r.EncryptedAssertions).Must(p => EncryptedAssertionPolicies.TryParse(p, out _)).WithErrorCode("encrypted_assertions_invalid")
            .WithMessage($"encryptedAssertions must be {EncryptedAssertionPolicies.Optional} or {EncryptedAssertionPolicies.Required}.");
        RuleFor(r => r.RoleMappings).Custom((mappings, context) =>
        {
            if (mappings is null || mappings.Count > SsoRules.MaxRoleMappings)
            {
                context.AddFailure(new ValidationFailure("RoleMappings",
                    $"Give an object of at most {SsoRules.MaxRoleMappings} IdP role → role pairs, or {{}}.")
                { ErrorCode = "role_mappings_invalid" });
                return;
            }

            foreach (var (claim, role) in mappings)
            {
                if (string.IsNullOrWhiteSpace(claim) || claim.Length > SsoRules.MaxRoleClaimLength)
                {
                    context.AddFailure(new ValidationFailure("RoleMappings",
                        $"An IdP role value must be 1 to {SsoRules.MaxRoleClaimLength} characters.")
                    { ErrorCode = "role_mappings_invalid" });
                }
                else if (!MemberRoles.IsKnown(role))
                {
                    context.AddFailure(new ValidationFailure("RoleMappings",
                        $"The IdP role '{claim}' maps to '{role}', which is not {MemberRoles.ClientAdministrator} or {MemberRoles.TeamMember}.")
                    { ErrorCode = "role_mappings_invalid" });
                }
            }
        });
    }
}

public sealed class AddCertificateRequestValidator : AbstractValidator<AddCertificateRequest>
{
    public AddCertificateRequestValidator() =>
        RuleFor(r => r.Certificate).Custom((text, context) => SsoRules.CheckCertificate(text, context, "Certificate"));
}

/// <summary>The SSO use cases: settings with a pasted certificate, metadata import, certificate rollover.</summary>
public sealed class SsoAdministration(ITenantAdminStore store, ITenantDirectory directory, TimeProvider clock)
{
    public async Task<AdminResult<Tenant>> ConfigureAsync(string subdomain, SsoSettingsRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var parsed = CertificateParser.Parse(request.Certificate);
        if (!parsed.IsValid)
        {
            return new AdminError(AdminErrorKind.Invalid, parsed.ErrorCode!, parsed.Message!, "certificate");
        }

        EncryptedAssertionPolicies.TryParse(request.EncryptedAssertions, out var encryptedAssertions);
        if (EncryptionKeyAdministration.CheckPolicy(tenant, encryptedAssertions) is { } policyError)
        {
            return policyError;
        }

        var now = clock.GetUtcNow();
        var policy = new TenantPolicy(
            request.JitEnabled,
            request.DefaultRole!,
            request.AllowedEmailDomains!.Select(d => SsoRules.NormalizeDomain(d!)).Distinct(StringComparer.Ordinal).ToArray(),
            request.ClockSkewSeconds,
            request.AllowSha1,
            request.AllowIdpInitiated,
            request.RoleMappings!.ToDictionary(m => m.Key, m => m.Value!, StringComparer.Ordinal))
        {
            EncryptedAssertions = encryptedAssertions,
        };
        var saved = await store.SaveSsoAsync(tenant.Id, policy, request.IdpEntityId!, request.SsoTargetUrl!,
            [ToIdpCertificate(parsed.Certificate, now)], now, cancellationToken);
        return saved ? await ReadAsync(subdomain, cancellationToken) : AdminErrorCodes.TenantNotFoundError(subdomain);
    }

    /// <summary>Takes entity ID, sign-in URL and all signing certificates from the IdP's metadata; the policy stays.</summary>
    public async Task<AdminResult<Tenant>> ImportMetadataAsync(string subdomain, byte[] metadataXml, CancellationToken cancellationToken)
    {
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var parsed = IdpMetadataParser.Parse(metadataXml);
        if (!parsed.IsValid)
        {
            return new AdminError(AdminErrorKind.Invalid, parsed.ErrorCode!, parsed.Message!, "body");
        }

        var now = clock.GetUtcNow();
        var metadata = parsed.Metadata;
        var saved = await store.SaveIdpAsync(tenant.Id, metadata.EntityId, metadata.SsoTargetUrl,
            metadata.SigningCertificates.Select(c => ToIdpCertificate(c, now)).ToList(), now, cancellationToken);
        return saved ? await ReadAsync(subdomain, cancellationToken) : AdminErrorCodes.TenantNotFoundError(subdomain);
    }

    /// <summary>Rollover, step one: trust the IdP's next certificate alongside the current one.</summary>
    public async Task<AdminResult<(Tenant Tenant, string ThumbprintSha256)>> AddCertificateAsync(
        string subdomain, AddCertificateRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var parsed = CertificateParser.Parse(request.Certificate);
        if (!parsed.IsValid)
        {
            return new AdminError(AdminErrorKind.Invalid, parsed.ErrorCode!, parsed.Message!, "certificate");
        }

        var thumbprint = parsed.Certificate.ThumbprintSha256;
        switch (await store.AddCertificateAsync(tenant.Id, ToIdpCertificate(parsed.Certificate, clock.GetUtcNow()), cancellationToken))
        {
            case CertificateAddition.SsoNotConfigured:
                return new AdminError(AdminErrorKind.Conflict, AdminErrorCodes.SsoNotConfigured,
                    "SSO is not configured yet: set it up with PUT .../sso or a metadata import before adding certificates.");
            case CertificateAddition.AlreadyTrusted:
                return new AdminError(AdminErrorKind.Conflict, AdminErrorCodes.CertificateAlreadyTrusted,
                    $"The certificate {thumbprint} is already trusted.", "certificate");
        }

        var read = await ReadAsync(subdomain, cancellationToken);
        return read.Error is { } error ? error : AdminResult<(Tenant, string)>.Ok((read.Value!, thumbprint));
    }

    /// <summary>Rollover, step two: stop trusting the old certificate. The last one cannot go: SSO would stop working.</summary>
    public async Task<AdminError?> RemoveCertificateAsync(string subdomain, string thumbprintSha256, CancellationToken cancellationToken)
    {
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var thumbprint = thumbprintSha256.Trim().ToLowerInvariant();
        return await store.RemoveCertificateAsync(tenant.Id, thumbprint, cancellationToken) switch
        {
            CertificateRemoval.Removed => null,
            CertificateRemoval.LastCertificate => new AdminError(AdminErrorKind.Conflict, AdminErrorCodes.LastCertificate,
                "This is the tenant's last trusted certificate; add the new one first, or replace it with PUT .../sso."),
            _ => new AdminError(AdminErrorKind.NotFound, AdminErrorCodes.CertificateNotFound,
                $"The tenant trusts no certificate with the SHA-256 thumbprint '{thumbprintSha256}'."),
        };
    }

    private async Task<Tenant?> FindAsync(string subdomain, CancellationToken cancellationToken) =>
        SubdomainRules.IsWellFormed(subdomain) ? await directory.FindBySubdomainAsync(subdomain, cancellationToken) : null;

    private async Task<AdminResult<Tenant>> ReadAsync(string subdomain, CancellationToken cancellationToken) =>
        await directory.FindBySubdomainAsync(subdomain, cancellationToken) is { } tenant
            ? AdminResult<Tenant>.Ok(tenant)
            : AdminErrorCodes.TenantNotFoundError(subdomain);

    private static IdpCertificate ToIdpCertificate(TrustedCertificate certificate, DateTimeOffset addedAt) =>
        new(certificate.ThumbprintSha256, certificate.ThumbprintSha1, certificate.Der, certificate.Subject,
            certificate.NotBefore, certificate.NotAfter, addedAt);
}
