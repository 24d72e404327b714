using Acs.Core.Members;
using Acs.Core.Provisioning;

namespace Acs.Core.Login;

/// <summary>One login attempt as recorded in the login event log.</summary>
public sealed record LoginEvent(
    Guid Id,
    Guid TenantId,
    DateTimeOffset OccurredAt,
    string Outcome,
    string? ErrorCode,
    string? Message,
    string? Expected,
    string? Received,
    string? AssertionId,
    string? NameId,
    Guid? MemberId,
    string? ClientAddress,
    string? UserAgent);

public static class LoginOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
}

/// <summary>Everything a successful validation asks the store to write in one transaction.</summary>
/// <param name="AssertionRememberedUntil">Until when the consumed assertion ID must be kept against replay.</param>
/// <param name="InResponseTo">The SP-initiated request to consume with the sign-in, or null.</param>
public sealed record LoginCommit(
    Guid TenantId,
    string AssertionId,
    DateTimeOffset AssertionRememberedUntil,
    IdpIdentity Identity,
    byte[] SessionTokenHash,
    DateTimeOffset SessionExpiresAt,
    LoginEvent SuccessEvent,
    string? InResponseTo);

public abstract record LoginCommitResult
{
    private LoginCommitResult()
    {
    }

    /// <param name="ReturnTo">Where an SP-initiated sign-in asked to return, from the request it answered.</param>
    public sealed record Committed(Member Member, string? ReturnTo) : LoginCommitResult;

    public sealed record Replayed : LoginCommitResult;

    /// <summary>The request the response answers is not (or no longer) an unexpired, unused request of the tenant.</summary>
    public sealed record RequestNotOutstanding : LoginCommitResult;

    /// <summary>The e-mail the IdP sent belongs to another member of the tenant (the unique constraint named).</summary>
    public sealed record EmailTaken(string? Constraint) : LoginCommitResult;

    /// <summary>The provisioning decision refused the sign-in.</summary>
    public sealed record Denied(string Code, string Message) : LoginCommitResult;
}

/// <summary>Writes a sign-in: consume the assertion, provision the member, open the session, log the event — all or nothing.</summary>
public interface ILoginStore
{
    /// <param name="decide">Called inside the transaction with the member found by subject and the one found by e-mail.</param>
    Task<LoginCommitResult> CommitAsync(LoginCommit commit, Func<Member?, Member?, ProvisioningDecision> decide, CancellationToken cancellationToken);

    Task RecordAsync(LoginEvent loginEvent, CancellationToken cancellationToken);
}

/// <summary>Outstanding SP-initiated sign-in requests (AuthnRequests) of a tenant.</summary>
public interface IAuthnRequestStore
{
    Task SaveAsync(Guid tenantId, string requestId, string returnTo, DateTimeOffset createdAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken);

    Task<bool> IsOutstandingAsync(Guid tenantId, string requestId, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A session and who it belongs to.</summary>
public sealed record SessionMember(Member Member, DateTimeOffset ExpiresAt);

public interface ISessionStore
{
    Task<SessionMember?> FindAsync(Guid tenantId, byte[] tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task EndAsync(Guid tenantId, byte[] tokenHash, CancellationToken cancellationToken);
}

/// <summary>Removes what is no longer needed: expired consumed assertions, sessions and requests, and old login events.</summary>
public interface IExpiredDataPurger
{
    /// <param name="loginEventsBefore">Login events that occurred before this instant are past their retention.</param>
    Task<int> PurgeAsync(DateTimeOffset now, DateTimeOffset loginEventsBefore, CancellationToken cancellationToken);
}
