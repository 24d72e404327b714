using System.ComponentModel.DataAnnotations;
using Acs.Core.Administration;
using FluentValidation;

namespace Acs.Core.Tenants;

/// <summary>Body of <c>POST /admin/tenants</c>.</summary>
/// <remarks>Nullable, so a missing field is a validation error naming it; [Required] tells the API document.</remarks>
public sealed record CreateTenantRequest([property: Required] string? Subdomain, [property: Required] string? DisplayName);

public sealed class CreateTenantRequestValidator : AbstractValidator<CreateTenantRequest>
{
    public const int MaxDisplayNameLength = 200;

    public CreateTenantRequestValidator()
    {
        RuleFor(r => r.Subdomain)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithErrorCode("subdomain_required").WithMessage("Give the subdomain of the company's site, e.g. \"acme\" for acme.statuspage.io.")
            .Must(SubdomainRules.IsWellFormed).WithErrorCode("subdomain_invalid")
            .WithMessage("The subdomain must be 1–63 lower-case letters, digits or hyphens, and must not start or end with a hyphen.")
            .Must(s => !SubdomainRules.IsReserved(s!)).WithErrorCode("subdomain_reserved")
            .WithMessage(r => $"The subdomain '{r.Subdomain}' is reserved for the product itself; choose another.");
        RuleFor(r => r.DisplayName)
            .Cascade(CascadeMode.Stop)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithErrorCode("display_name_required").WithMessage("Give the company's display name, e.g. \"Acme Inc.\".")
            .MaximumLength(MaxDisplayNameLength).WithErrorCode("display_name_too_long")
            .WithMessage($"The display name must be at most {MaxDisplayNameLength} characters.");
    }
}

/// <summary>Stores what administrators change about tenants; reads go through <see cref="ITenantDirectory"/>.</summary>
public interface ITenantAdminStore
{
    Task<Guid?> FindIdAsync(string subdomain, CancellationToken cancellationToken);

    /// <summary>False when the subdomain is taken.</summary>
    Task<bool> CreateAsync(Guid id, string subdomain, string displayName, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Page<Tenant>> ListAsync(int offset, int limit, CancellationToken cancellationToken);

    /// <summary>Removes the tenant and, by cascade, everything it owns. False when there was none.</summary>
    Task<bool> DeleteAsync(string subdomain, CancellationToken cancellationToken);

    /// <summary>Replaces policy, IdP and the whole trusted certificate set at once. False when the tenant is gone.</summary>
    Task<bool> SaveSsoAsync(Guid tenantId, TenantPolicy policy, string idpEntityId, string ssoTargetUrl,
        IReadOnlyList<IdpCertificate> certificates, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Replaces IdP and certificates, keeping the policy (metadata import). False when the tenant is gone.</summary>
    Task<bool> SaveIdpAsync(Guid tenantId, string idpEntityId, string ssoTargetUrl,
        IReadOnlyList<IdpCertificate> certificates, DateTimeOffset now, CancellationToken cancellationToken);

    Task<CertificateAddition> AddCertificateAsync(Guid tenantId, IdpCertificate certificate, CancellationToken cancellationToken);

    Task<CertificateRemoval> RemoveCertificateAsync(Guid tenantId, string thumbprintSha256, CancellationToken cancellationToken);
}

public enum CertificateAddition
{
    Added,
    AlreadyTrusted,
    SsoNotConfigured,
}

public enum CertificateRemoval
{
    Removed,
    NotFound,
    LastCertificate,
}

/// <summary>The tenant use cases of the administration API that need no certificate parsing.</summary>
public sealed class TenantAdministration(ITenantAdminStore store, ITenantDirectory directory, TimeProvider clock)
{
    public async Task<AdminResult<Tenant>> CreateAsync(CreateTenantRequest request, CancellationToken cancellationToken)
    {
        var subdomain = request.Subdomain!;
        var created = await store.CreateAsync(Guid.NewGuid(), subdomain, request.DisplayName!.Trim(), clock.GetUtcNow(), cancellationToken);
        if (!created)
        {
            return new AdminError(AdminErrorKind.Conflict, AdminErrorCodes.TenantExists,
                $"A tenant with the subdomain '{subdomain}' already exists.", "subdomain");
        }

        return await GetAsync(subdomain, cancellationToken);
    }

    public async Task<AdminResult<Tenant>> GetAsync(string subdomain, CancellationToken cancellationToken)
    {
        // A malformed subdomain cannot name a tenant; no need to ask the database.
        var tenant = SubdomainRules.IsWellFormed(subdomain) ? await directory.FindBySubdomainAsync(subdomain, cancellationToken) : null;
        return tenant is null ? AdminErrorCodes.TenantNotFoundError(subdomain) : AdminResult<Tenant>.Ok(tenant);
    }

    public Task<Page<Tenant>> ListAsync(int offset, int limit, CancellationToken cancellationToken) =>
        store.ListAsync(offset, limit, cancellationToken);

    public async Task<AdminError?> DeleteAsync(string subdomain, CancellationToken cancellationToken) =>
        SubdomainRules.IsWellFormed(subdomain) && await store.DeleteAsync(subdomain, cancellationToken)
            ? null
            : AdminErrorCodes.TenantNotFoundError(subdomain);
}
