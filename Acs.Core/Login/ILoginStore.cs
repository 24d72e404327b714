using Acs.Core.Members;
using Acs.Core.Provisioning;

namespace Acs.Core.Login;

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
