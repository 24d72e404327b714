using Acs.Core.Members;

namespace Acs.Data.Members;

/// <summary>A row of <c>members</c> as Dapper reads it.</summary>
internal sealed class MemberRow
{
    /// <summary>The columns every member query selects, in this order.</summary>
    public const string Columns =
        "id, tenant_id, email, first_name, last_name, role, status, created_via, idp_subject, created_at, updated_at, last_login_at";

    public Guid Id { get; init; }
    public Guid TenantId { get; init; }
    public string Email { get; init; } = "";
    public string FirstName { get; init; } = "";
    public string LastName { get; init; } = "";
    public string Role { get; init; } = "";
    public string Status { get; init; } = "";
    public string CreatedVia { get; init; } = "";
    public string? IdpSubject { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public DateTime? LastLoginAt { get; init; }

    public Member ToMember() => new(Id, TenantId, Email, FirstName, LastName, Role, Status, CreatedVia, IdpSubject,
        Utc(CreatedAt), Utc(UpdatedAt), LastLoginAt is { } last ? Utc(last) : null);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
