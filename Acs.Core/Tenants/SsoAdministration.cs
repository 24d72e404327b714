using System.ComponentModel.DataAnnotations;
using Acs.Core.Administration;
using Acs.Core.Audit;
using Acs.Core.Certificates;
using Acs.Core.EncryptionKeys;
using Acs.Core.Members;
using Acs.Core.Rollover;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using FluentValidation;
using FluentValidation.Results;

namespace Acs.Core.Tenants;

/// <summary>Body of <c>PUT /admin/tenants/{subdomain}/sso</c>; absent settings take the product's defaults.</summary>
public sealed record SsoSettingsRequest
{
    /// <summary>
    /// The IdP's metadata URL (Entra: App Federation Metadata Url). When given, the service fetches it on save and then
    /// on a schedule, and entity ID, SSO URL and certificates come from it: leave those three out.
    /// </summary>
    public string? MetadataUrl { get; init; }

    /// <summary>Required unless <see cref="MetadataUrl"/> is given.</summary>
    public string? SsoTargetUrl { get; init; }

    /// <summary>Required unless <see cref="MetadataUrl"/> is given.</summary>
    public string? IdpEntityId { get; init; }

    /// <summary>
    /// The IdP signing certificate as pasted: PEM, Entra's "Certificate (Base64)", or bare base64. Replaces the trusted
    /// set. Required unless <see cref="MetadataUrl"/> is given.
    /// </summary>
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
        When(r => r.MetadataUrl is null, () =>
        {
            RuleFor(r => r.SsoTargetUrl).Must(SsoRules.IsHttpsUrl).WithErrorCode("sso_target_url_invalid")
                .WithMessage("The SSO Target URL must be an absolute https URL, e.g. Entra's Login URL https://login.microsoftonline.com/<tenant-id>/saml2.");
            RuleFor(r => r.IdpEntityId).Must(SsoRules.IsAbsoluteUri).WithErrorCode("idp_entity_id_invalid")
                .WithMessage("The IdP entity ID must be an absolute URI, e.g. Entra's Microsoft Entra Identifier https://sts.windows.net/<tenant-id>/.");
            RuleFor(r => r.Certificate).Custom((text, context) => SsoRules.CheckCertificate(text, context, "Certificate"));
        }).Otherwise(() =>
        {
            RuleFor(r => r.MetadataUrl).Must(SsoRules.IsHttpsUrl).WithErrorCode(Rollover.MetadataUrlRules.UrlInvalid)
                .WithMessage("The metadata URL must be an absolute https URL, e.g. Entra's App Federation Metadata Url.");
            const string fromMetadata = "Leave this out when metadataUrl is given: the entity ID, SSO URL and certificates come from the metadata.";
            RuleFor(r => r.SsoTargetUrl).Null().WithErrorCode("sso_field_with_metadata_url").WithMessage(fromMetadata);
            RuleFor(r => r.IdpEntityId).Null().WithErrorCode("sso_field_with_metadata_url").WithMessage(fromMetadata);
            RuleFor(r => r.Certificate).Null().WithErrorCode("sso_field_with_metadata_url").WithMessage(fromMetadata);
        });
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
public sealed class SsoAdministration(ITenantAdminStore store, ITenantDirectory directory, IRolloverStore rollover, IMetadataSource metadataSource,
    IAuditLog audit, RolloverOptions options, TimeProvider clock)
{
    public async Task<AdminResult<Tenant>> ConfigureAsync(string subdomain, SsoSettingsRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        string idpEntityId, ssoTargetUrl;
        IReadOnlyList<TrustedCertificate> certificates;
        IdpMetadata? fetched = null;
        if (request.MetadataUrl is { } metadataUrl)
        {
            var metadata = await FetchOnSaveAsync(metadataUrl, cancellationToken);
            if (metadata.Error is { } fetchError)
            {
                return fetchError;
            }

            fetched = metadata.Value!;
            (idpEntityId, ssoTargetUrl, certificates) = (fetched.EntityId, fetched.SsoTargetUrl, fetched.SigningCertificates);
        }
        else
        {
            var parsed = CertificateParser.Parse(request.Certificate);
            if (!parsed.IsValid)
            {
                return new AdminError(AdminErrorKind.Invalid, parsed.ErrorCode!, parsed.Message!, "certificate");
            }

            (idpEntityId, ssoTargetUrl, certificates) = (request.IdpEntityId!, request.SsoTargetUrl!, [parsed.Certificate]);
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
        var saved = await store.SaveSsoAsync(tenant.Id, policy, idpEntityId, ssoTargetUrl,
            certificates.Select(c => ToIdpCertificate(c, now)).ToList(), now, cancellationToken);
        if (!saved)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var events = new List<AuditEntry>
        {
            new(AuditActions.SsoConfigured, null,
                $"SSO settings saved: entity ID '{idpEntityId}', SSO URL '{ssoTargetUrl}', trusted certificates "
                + string.Join(", ", certificates.Select(c => $"{c.Subject} ({c.ThumbprintSha256})")) + "."),
        };
        if (fetched is not null)
        {
            await rollover.SaveSourceAsync(tenant.Id, request.MetadataUrl!,
                new RefreshTimes(now, MetadataReconciler.NextRefresh(fetched, now, options.RefreshInterval, Random.Shared.NextDouble())), cancellationToken);
            events.Add(new(AuditActions.MetadataUrlSet, request.MetadataUrl,
                $"The IdP metadata is refreshed from {request.MetadataUrl} from now on."));
        }
        else if (await rollover.RemoveSourceAsync(tenant.Id, cancellationToken))
        {
            events.Add(new(AuditActions.MetadataUrlRemoved, null, "The IdP metadata URL was removed: certificates are managed by hand."));
        }

        await AuditAsync(tenant.Id, now, events, cancellationToken);
        return await ReadAsync(subdomain, cancellationToken);
    }

    /// <summary>The metadata behind a URL, fetched and parsed at save so that a wrong URL is refused at once.</summary>
    private async Task<AdminResult<IdpMetadata>> FetchOnSaveAsync(string metadataUrl, CancellationToken cancellationToken)
    {
        if (MetadataUrlRules.Check(metadataUrl, options.AllowedHosts) is { } refused)
        {
            return new AdminError(AdminErrorKind.Invalid, refused.Code, refused.Message, "metadataUrl");
        }

        var fetched = await metadataSource.FetchAsync(new Uri(metadataUrl), cancellationToken);
        if (!fetched.IsSuccess)
        {
            return new AdminError(AdminErrorKind.Invalid, fetched.ErrorCode!, $"The metadata URL could not be read: {fetched.Message}", "metadataUrl");
        }

        var parsed = IdpMetadataParser.Parse(fetched.Body);
        return parsed.IsValid
            ? AdminResult<IdpMetadata>.Ok(parsed.Metadata)
            : new AdminError(AdminErrorKind.Invalid, parsed.ErrorCode!, $"The document at the metadata URL is not usable: {parsed.Message}", "metadataUrl");
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
        if (!saved)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        await AuditAsync(tenant.Id, now,
            [new(AuditActions.MetadataImported, null, $"Metadata imported: entity ID '{metadata.EntityId}', SSO URL '{metadata.SsoTargetUrl}', trusted certificates "
                + string.Join(", ", metadata.SigningCertificates.Select(c => $"{c.Subject} ({c.ThumbprintSha256})")) + ".")],
            cancellationToken);
        return await ReadAsync(subdomain, cancellationToken);
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

        await AuditAsync(tenant.Id, clock.GetUtcNow(),
            [new(AuditActions.CertificateAdded, thumbprint, $"Certificate trusted beside the others: {parsed.Certificate.Subject}, valid until {parsed.Certificate.NotAfter:u}.")],
            cancellationToken);
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
        var removal = await store.RemoveCertificateAsync(tenant.Id, thumbprint, cancellationToken);
        if (removal == CertificateRemoval.Removed)
        {
            await AuditAsync(tenant.Id, clock.GetUtcNow(), [new(AuditActions.CertificateRemoved, thumbprint, "Certificate no longer trusted (removed by the operator).")],
                cancellationToken);
        }

        return removal switch
        {
            CertificateRemoval.Removed => null,
            CertificateRemoval.LastCertificate => new AdminError(AdminErrorKind.Conflict, AdminErrorCodes.LastCertificate,
                "This is the tenant's last trusted certificate; add the new one first, or replace it with PUT .../sso."),
            _ => new AdminError(AdminErrorKind.NotFound, AdminErrorCodes.CertificateNotFound,
                $"The tenant trusts no certificate with the SHA-256 thumbprint '{thumbprintSha256}'."),
        };
    }

    private Task AuditAsync(Guid tenantId, DateTimeOffset now, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
        audit.AppendAsync(entries.Select(e => AuditEvent.Of(tenantId, now, AuditActors.AdminApi, e)).ToList(), cancellationToken);

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
