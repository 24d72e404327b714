using Acs.Core.Diagnosis;
using Acs.Core.Members;
using Acs.Core.Tenants;

namespace Acs.Core.Login;

/// <summary>A posted SAML Response for a tenant, with the URLs of the public address it arrived at.</summary>
public sealed record LoginAttempt(
    Tenant Tenant,
    string SpEntityId,
    string AcsUrl,
    string? SamlResponse,
    string? ClientAddress,
    string? UserAgent)
{
    /// <summary>The request-binding values the browser sent back (see <see cref="AuthnRequestBinding"/>), by request ID.</summary>
    public IReadOnlyDictionary<string, string> RequestBindings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>A started SP-initiated sign-in: the request ID for the AuthnRequest, and what the browser must keep to finish it.</summary>
/// <param name="BindingValue">For the browser only (a cookie), never in a URL.</param>
public sealed record StartedSignIn(string RequestId, string BindingValue, TimeSpan Lifetime);

public enum LoginFailureKind
{
    /// <summary>The request itself is malformed (not base64, not XML, not SAML): 400.</summary>
    MalformedInput,
    /// <summary>The request is over a size limit: 413.</summary>
    TooLarge,
    /// <summary>The site has no SSO configured: 404.</summary>
    NotConfigured,
    /// <summary>A well-formed response was refused (signature, time, audience, policy, replay): 403.</summary>
    Refused,
}

public sealed record LoginFailure(string Code, string Message, LoginFailureKind Kind, string? AdminHint)
{
    /// <summary>The known cause the evidence shows, for the administrator; null when none is known.</summary>
    public SignInDiagnosis? Diagnosis { get; init; }
}

/// <param name="ReturnTo">The path an SP-initiated sign-in asked to return to; null for IdP-initiated sign-ins.</param>
/// <param name="AnsweredRequestId">The SP-initiated request the sign-in used up (its binding is no longer needed); null for IdP-initiated.</param>
public sealed record LoginSuccess(Member Member, string SessionToken, DateTimeOffset SessionExpiresAt, string? ReturnTo,
    string? AnsweredRequestId = null);

public sealed record LoginResult(Guid EventId, LoginSuccess? Success, LoginFailure? Failure)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Success))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Success is not null;
}

/// <summary>How long sessions and SP-initiated requests last; the assertion's SessionNotOnOrAfter can shorten a session.</summary>
public sealed record LoginOptions(TimeSpan SessionLifetime)
{
    public TimeSpan AuthnRequestLifetime { get; init; } = TimeSpan.FromMinutes(10);
}
