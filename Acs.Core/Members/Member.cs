namespace Acs.Core.Members;

/// <summary>A team member of a tenant, created by an administrator or just in time at first sign-in.</summary>
public sealed record Member(
    Guid Id,
    Guid TenantId,
    string Email,
    string FirstName,
    string LastName,
    string Role,
    string Status,
    string CreatedVia,
    string? IdpSubject,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastLoginAt);

public static class MemberStatuses
{
    public const string Active = "active";
    public const string Disabled = "disabled";
}

public static class MemberOrigins
{
    public const string Admin = "admin";
    public const string Jit = "jit";
}
