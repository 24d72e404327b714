using Acs.Core.Members;
using Acs.Core.Provisioning;

namespace Acs.Core.Login;

/// <summary>What a validated sign-in asks the store to begin with, inside one transaction.</summary>
/// <param name="AssertionRememberedUntil">Until when the consumed assertion ID must be kept against replay.</param>
/// <param name="InResponseTo">The SP-initiated request the response answers, to consume; null when unsolicited.</param>
public sealed record SignInStart(
    Guid TenantId,
    string AssertionId,
    DateTimeOffset AssertionRememberedUntil,
    string? InResponseTo,
    string Subject,
    string? Email,
    DateTimeOffset Now);

/// <summary>
/// What the store found when the sign-in began: facts, no verdicts. The transaction holds the assertion as consumed,
/// the answered request as used and the person's member rows locked until it commits or is refused.
/// </summary>
/// <param name="AssertionAlreadyConsumed">Another sign-in (committed first) already used this assertion.</param>
/// <param name="RequestOutstanding">The answered request was unexpired and unused; false when there is none.</param>
/// <param name="ReturnTo">Where the answered request asked to return.</param>
/// <param name="MemberBySubject">The tenant's member linked to the IdP subject.</param>
/// <param name="MemberByEmail">The tenant's member with the e-mail address (case-insensitive).</param>
public sealed record SignInFacts(
    bool AssertionAlreadyConsumed,
    bool RequestOutstanding,
    string? ReturnTo,
    Member? MemberBySubject,
    Member? MemberByEmail);

/// <summary>What Core decided a successful sign-in writes: the member (created or refreshed), the session, the event.</summary>
public sealed record SignInWrites(
    ProvisioningDecision Member,
    byte[] SessionTokenHash,
    DateTimeOffset SessionExpiresAt,
    LoginEvent SuccessEvent);

/// <summary>What happened when the writes were applied.</summary>
public abstract record SignInCommitResult
{
    private SignInCommitResult()
    {
    }

    public sealed record Committed(Member Member) : SignInCommitResult;

    /// <summary>The e-mail written belongs to another member of the tenant (the unique constraint named); nothing committed.</summary>
    public sealed record EmailTaken(string? Constraint) : SignInCommitResult;
}

/// <summary>One sign-in's transaction, from the facts it began with to its commit or its refusal.</summary>
public interface ISignInTransaction : IAsyncDisposable
{
    SignInFacts Facts { get; }

    /// <summary>Writes the member, session and success event and commits, all or nothing.</summary>
    Task<SignInCommitResult> CommitAsync(SignInWrites writes, CancellationToken cancellationToken);

    /// <summary>Rolls back everything the sign-in began (the assertion and request stay unused) and records its event.</summary>
    Task RefuseAsync(LoginEvent failureEvent, CancellationToken cancellationToken);
}

/// <summary>Stores sign-ins: begins them with the facts Core decides on, writes what Core decided.</summary>
public interface ILoginStore
{
    Task<ISignInTransaction> BeginAsync(SignInStart start, CancellationToken cancellationToken);

    /// <summary>Records the event of an attempt refused before any transaction began.</summary>
    Task RecordAsync(LoginEvent loginEvent, CancellationToken cancellationToken);
}
