using System.ComponentModel.DataAnnotations;
using Acs.Core.Administration;
using Acs.Core.Tenants;
using FluentValidation;

namespace Acs.Core.Members;

/// <summary>Body of <c>POST /admin/tenants/{subdomain}/members</c>: a member the administrator invites before their first sign-in.</summary>
public sealed record NewMemberRequest([property: Required] string? Email, string? FirstName, string? LastName, [property: Required] string? Role);

/// <summary>Body of <c>PATCH .../members/{id}</c>; absent fields stay as they are.</summary>
public sealed record MemberChangeRequest(string? Role, string? Status);

/// <summary>Query of the member listing: paging plus an optional part of an e-mail address.</summary>
public sealed record MemberQuery(string? Email, string? Offset, string? Limit)
{
    public PagingRequest Paging => new(Offset, Limit);
}

public static class MemberRules
{
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 100;

    /// <summary>One '@' with something on both sides and a dot in the domain; the IdP is the real authority on addresses.</summary>
    public static bool IsPlausibleEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > MaxEmailLength || email.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1
            && email[(at + 1)..] is var domain && domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.');
    }

    public static bool IsKnownStatus(string? status) => status is MemberStatuses.Active or MemberStatuses.Disabled;

    internal static string RoleMessage => $"The role must be {MemberRoles.ClientAdministrator} or {MemberRoles.TeamMember}.";
}

public sealed class NewMemberRequestValidator : AbstractValidator<NewMemberRequest>
{
    public NewMemberRequestValidator()
    {
        RuleFor(r => r.Email)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithErrorCode("email_required").WithMessage("Give the member's e-mail address.")
            .Must(MemberRules.IsPlausibleEmail).WithErrorCode("email_invalid")
            .WithMessage(r => $"'{r.Email}' is not an e-mail address (expected e.g. britta@acme.com, at most {MemberRules.MaxEmailLength} characters).");
        RuleFor(r => r.FirstName).MaximumLength(MemberRules.MaxNameLength).WithErrorCode("first_name_too_long")
            .WithMessage($"The first name must be at most {MemberRules.MaxNameLength} characters.");
        RuleFor(r => r.LastName).MaximumLength(MemberRules.MaxNameLength).WithErrorCode("last_name_too_long")
            .WithMessage($"The last name must be at most {MemberRules.MaxNameLength} characters.");
        RuleFor(r => r.Role)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithErrorCode("role_required").WithMessage(MemberRules.RoleMessage)
            .Must(MemberRoles.IsKnown).WithErrorCode("role_invalid").WithMessage(MemberRules.RoleMessage);
    }
}

public sealed class MemberChangeRequestValidator : AbstractValidator<MemberChangeRequest>
{
    public MemberChangeRequestValidator()
    {
        RuleFor(r => r).Must(r => r.Role is not null || r.Status is not null).WithName("body").OverridePropertyName("body")
            .WithErrorCode("change_empty").WithMessage("Give a role, a status or both.");
        RuleFor(r => r.Role).Must(MemberRoles.IsKnown).When(r => r.Role is not null).WithErrorCode("role_invalid").WithMessage(MemberRules.RoleMessage);
        RuleFor(r => r.Status).Must(MemberRules.IsKnownStatus).When(r => r.Status is not null).WithErrorCode("status_invalid")
            .WithMessage($"The status must be {MemberStatuses.Active} or {MemberStatuses.Disabled}.");
    }
}

public sealed class MemberQueryValidator : AbstractValidator<MemberQuery>
{
    public MemberQueryValidator()
    {
        RuleFor(q => q.Offset).Must(o => PagingRequest.IsIntegerIn(o, 0, int.MaxValue)).WithErrorCode("offset_invalid")
            .WithMessage(PagingRequest.OffsetMessage);
        RuleFor(q => q.Limit).Must(l => PagingRequest.IsIntegerIn(l, 1, PagingRequest.MaxLimit)).WithErrorCode("limit_invalid")
            .WithMessage(PagingRequest.LimitMessage);
        RuleFor(q => q.Email).MaximumLength(MemberRules.MaxEmailLength).WithErrorCode("email_invalid")
            .WithMessage($"The e-mail filter must be at most {MemberRules.MaxEmailLength} characters.");
    }
}

/// <summary>Stores team members; every call is scoped to one tenant.</summary>
public interface IMemberAdminStore
{
    /// <summary>Members whose e-mail contains <paramref name="emailContains"/> (any case), oldest first.</summary>
    Task<Page<Member>> ListAsync(Guid tenantId, string? emailContains, int offset, int limit, CancellationToken cancellationToken);

    Task<Member?> FindAsync(Guid tenantId, Guid memberId, CancellationToken cancellationToken);

    /// <summary>False when the tenant already has a member with this e-mail, in any case.</summary>
    Task<bool> CreateAsync(Member member, CancellationToken cancellationToken);

    /// <summary>Changes role and/or status; a disabled member's sessions are ended in the same transaction. Null when not found.</summary>
    Task<Member?> UpdateAsync(Guid tenantId, Guid memberId, string? role, string? status, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the member and their sessions. False when not found.</summary>
    Task<bool> DeleteAsync(Guid tenantId, Guid memberId, CancellationToken cancellationToken);
}

/// <summary>The team-member use cases of the administration API.</summary>
public sealed class MemberAdministration(IMemberAdminStore store, ITenantAdminStore tenants, TimeProvider clock)
{
    public async Task<AdminResult<Page<Member>>> ListAsync(string subdomain, MemberQuery query, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenantId)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var email = string.IsNullOrWhiteSpace(query.Email) ? null : query.Email.Trim();
        return AdminResult<Page<Member>>.Ok(await store.ListAsync(tenantId, email, query.Paging.OffsetValue, query.Paging.LimitValue, cancellationToken));
    }

    public async Task<AdminResult<Member>> GetAsync(string subdomain, Guid memberId, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenantId)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        return await store.FindAsync(tenantId, memberId, cancellationToken) is { } member ? AdminResult<Member>.Ok(member) : MemberNotFound(memberId);
    }

    public async Task<AdminResult<Member>> CreateAsync(string subdomain, NewMemberRequest request, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenantId)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var now = clock.GetUtcNow();
        var member = new Member(Guid.NewGuid(), tenantId, request.Email!.Trim(), request.FirstName?.Trim() ?? "", request.LastName?.Trim() ?? "",
            request.Role!, MemberStatuses.Active, MemberOrigins.Admin, IdpSubject: null, now, now, LastLoginAt: null);
        if (!await store.CreateAsync(member, cancellationToken))
        {
            return new AdminError(AdminErrorKind.Conflict, AdminErrorCodes.MemberEmailExists,
                $"The tenant already has a member with the e-mail address '{member.Email}'.", "email");
        }

        return AdminResult<Member>.Ok(member);
    }

    public async Task<AdminResult<Member>> ChangeAsync(string subdomain, Guid memberId, MemberChangeRequest request, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenantId)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var member = await store.UpdateAsync(tenantId, memberId, request.Role, request.Status, clock.GetUtcNow(), cancellationToken);
        return member is null ? MemberNotFound(memberId) : AdminResult<Member>.Ok(member);
    }

    public async Task<AdminError?> DeleteAsync(string subdomain, Guid memberId, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenantId)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        return await store.DeleteAsync(tenantId, memberId, cancellationToken) ? null : MemberNotFound(memberId);
    }

    private async Task<Guid?> FindTenantAsync(string subdomain, CancellationToken cancellationToken) =>
        SubdomainRules.IsWellFormed(subdomain) ? await tenants.FindIdAsync(subdomain, cancellationToken) : null;

    private static AdminError MemberNotFound(Guid memberId) =>
        new(AdminErrorKind.NotFound, AdminErrorCodes.MemberNotFound, $"The tenant has no member with the id {memberId}.");
}
