using System.Diagnostics;
using Acs.Core.Certificates;
using Acs.Core.Diagnosis;
using Acs.Core.EncryptionKeys;
using Acs.Core.Provisioning;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Validation;
using Acs.Core.Sessions;
using Acs.Core.Telemetry;
using Acs.Core.Tenants;

namespace Acs.Core.Login;

/// <summary>The sign-in use case: validate the posted response for the tenant, provision the member, open a session.</summary>
public sealed class LoginService(
    SamlResponseValidator validator,
    ILoginStore store,
    IAuthnRequestStore requests,
    AuthnRequestBinding binding,
    LoginOptions options,
    TimeProvider timeProvider,
    SpDecryptionKeys decryptionKeys,
    AcsMetrics metrics,
    SignInDiagnostics diagnostics)
{
    /// <summary>Request IDs this service issues are 33 characters; anything much longer cannot be one of them.</summary>
    private const int MaxRequestIdLength = 256;

    /// <summary>The largest clock skew a tenant may configure (<see cref="SsoRules.MaxClockSkewSeconds"/>).</summary>
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(SsoRules.MaxClockSkewSeconds);

    /// <summary>How long an SP-initiated sign-in may take from start to the IdP's answer.</summary>
    public TimeSpan AuthnRequestLifetime => options.AuthnRequestLifetime;

    public Task<LoginResult> SignInAsync(LoginAttempt attempt, CancellationToken cancellationToken) =>
        MeasuredAsync(attempt, () => SignInCoreAsync(attempt, cancellationToken));

    /// <summary>Records a refusal that happened before the response could be read (e.g. an oversize post).</summary>
    public Task<LoginResult> RefuseAsync(LoginAttempt attempt, string code, string message, CancellationToken cancellationToken) =>
        MeasuredAsync(attempt, () => RecordAsync(attempt, new AttemptRecord(attempt, Guid.NewGuid(), timeProvider.GetUtcNow()).Because(code, message),
            cancellationToken));

    /// <summary>One span and one measurement per attempt, whatever its outcome; the database's spans nest under the span.</summary>
    private async Task<LoginResult> MeasuredAsync(LoginAttempt attempt, Func<Task<LoginResult>> signIn)
    {
        using var activity = TelemetryAttributes.Source.StartActivity("acs.sign_in");
        activity?.SetTag(TelemetryAttributes.TenantSubdomain, attempt.Tenant.Subdomain);
        var started = Stopwatch.GetTimestamp();
        var result = await signIn();
        var outcome = result.Succeeded ? LoginOutcomes.Success : LoginOutcomes.Failure;
        metrics.SignInFinished(outcome, result.Failure?.Code, Stopwatch.GetElapsedTime(started));
        activity?.SetTag(TelemetryAttributes.Outcome, outcome);
        activity?.SetTag(TelemetryAttributes.ErrorType, result.Failure?.Code);
        return result;
    }

    /// <summary>
    /// A sign-in, in order: validate the response; check what needs no database (solicited or not); map the identity;
    /// begin (the store consumes the assertion and the answered request and finds the person's members, in one
    /// round trip, and returns the facts); decide on those facts, here; then commit what was decided, or refuse —
    /// which rolls everything back and records the event, again in one round trip.
    /// </summary>
    private async Task<LoginResult> SignInCoreAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        var tenant = attempt.Tenant;
        var now = timeProvider.GetUtcNow();
        var attemptRecord = new AttemptRecord(attempt, Guid.NewGuid(), now);

        if (tenant.Idp is not { Certificates.Count: > 0 } idp)
        {
            return await RecordAsync(attempt, attemptRecord.Because(LoginErrorCodes.SsoNotConfigured, "Single sign-on is not configured for this site."),
                cancellationToken);
        }

        // 1. Validate. Everything below reads only what a verified signature covers, InResponseTo included.
        var settings = SettingsFor(attempt, tenant, idp);
        var validation = Validate(attempt.SamlResponse, settings);
        if (!validation.IsValid)
        {
            var failure = validation.Failure;
            return await RecordAsync(attempt, attemptRecord.Because(failure.Code, failure.Message, failure.Expected, failure.Received) with
            {
                AssertionId = failure.AssertionId,
                NameId = failure.NameId,
            }, cancellationToken, failure.Evidence);
        }

        var assertion = validation.Assertion;
        attemptRecord = attemptRecord.About(assertion);
        var requestId = assertion.InResponseTo;

        // 2. Solicited or not: decided without the database.
        if (requestId is null && !tenant.Policy.AllowIdpInitiated)
        {
            return await RecordAsync(attempt, attemptRecord.Because(LoginErrorCodes.IdpInitiatedNotAllowed,
                "This site accepts only sign-ins it started (SP-initiated); the response was unsolicited."), cancellationToken);
        }

        if (requestId is { Length: > MaxRequestIdLength })
        {
            return await RecordAsync(attempt, attemptRecord.Because(SamlErrorCodes.InResponseToUnexpected, UnknownRequestMessage,
                received: Shorten(requestId)), cancellationToken);
        }

        // 3. Map the identity the IdP asserted.
        var identity = ClaimsMapper.Map(assertion);

        // 4. Begin: the facts this sign-in is decided on, held in its transaction.
        await using var transaction = await store.BeginAsync(new SignInStart(tenant.Id, assertion.AssertionId,
            RememberUntil(assertion, settings), requestId, identity.Subject, identity.Email, now), cancellationToken);
        var facts = transaction.Facts;

        // 5. Decide.
        var decision = Decide(attempt, attemptRecord, identity, requestId, facts);
        if (decision.Refused is { } refused)
        {
            var diagnosed = await DiagnosedAsync(attempt, refused, null, cancellationToken);
            await transaction.RefuseAsync(diagnosed, cancellationToken);
            return Failed(diagnosed);
        }

        // 6. Apply and commit.
        var (token, tokenHash) = SessionTokens.Create();
        var sessionExpires = now + options.SessionLifetime;
        if (assertion.SessionNotOnOrAfter is { } idpLimit && idpLimit < sessionExpires)
        {
            sessionExpires = idpLimit;
        }

        var successEvent = new LoginEvent(attemptRecord.EventId, tenant.Id, now, LoginOutcomes.Success, null, "Signed in", null, null,
            assertion.AssertionId, assertion.NameId, null, attempt.ClientAddress, attempt.UserAgent)
        {
            Diagnosis = SignInDiagnostics.ForSuccess(attempt, assertion, now),
        };
        var committed = await transaction.CommitAsync(new SignInWrites(decision.Member!, tokenHash, sessionExpires, successEvent),
            cancellationToken);
        if (committed is SignInCommitResult.EmailTaken taken)
        {
            var conflict = attemptRecord.Because(LoginErrorCodes.MemberEmailConflict,
                $"{identity.Email} already belongs to another member of this site ({taken.Constraint}).");
            var diagnosed = await DiagnosedAsync(attempt, conflict, null, cancellationToken);
            await transaction.RefuseAsync(diagnosed, cancellationToken);
            return Failed(diagnosed);
        }

        var member = ((SignInCommitResult.Committed)committed).Member;
        return new LoginResult(attemptRecord.EventId, new LoginSuccess(member, token, sessionExpires, facts.ReturnTo, requestId), null);
    }

    private const string UnknownRequestMessage =
        "The response answers a sign-in request (InResponseTo) that is unknown, expired or already used.";

    /// <summary>The verdict on the facts: the member to write, or the refusal. The order is the order of precedence.</summary>
    private (ProvisioningDecision? Member, LoginEvent? Refused) Decide(LoginAttempt attempt, AttemptRecord attemptRecord, IdpIdentity identity,
        string? requestId, SignInFacts facts)
    {
        if (facts.AssertionAlreadyConsumed)
        {
            return (null, attemptRecord.Because(LoginErrorCodes.AssertionReplayed,
                $"The assertion {attemptRecord.AssertionId} was already used to sign in."));
        }

        if (requestId is not null)
        {
            // A signed InResponseTo must name an outstanding request of this tenant, started by this very browser.
            if (!facts.RequestOutstanding)
            {
                return (null, attemptRecord.Because(SamlErrorCodes.InResponseToUnexpected, UnknownRequestMessage, received: requestId));
            }

            attempt.RequestBindings.TryGetValue(requestId, out var presented);
            if (!binding.Matches(attempt.Tenant.Id, attempt.AcsUrl, requestId, presented))
            {
                return (null, attemptRecord.Because(LoginErrorCodes.RequestNotFromThisBrowser,
                    presented is null
                        ? "The response answers a sign-in request this browser did not start: it sent no binding cookie for the request."
                        : "The response answers a sign-in request this browser did not start: its binding cookie does not match the request.",
                    received: requestId));
            }
        }

        var member = ProvisioningPolicy.Decide(attempt.Tenant.Policy, identity, facts.MemberBySubject, facts.MemberByEmail);
        return member is ProvisioningDecision.Deny deny
            ? (null, attemptRecord.Because(deny.Code, deny.Message))
            : (member, null);
    }

    /// <summary>The failure event of this attempt, filled in as far as the attempt got.</summary>
    private sealed record AttemptRecord(LoginAttempt Attempt, Guid EventId, DateTimeOffset Now)
    {
        public string? AssertionId { get; private init; }

        public string? NameId { get; private init; }

        public AttemptRecord About(SamlAssertion assertion) => this with { AssertionId = assertion.AssertionId, NameId = assertion.NameId };

        public LoginEvent Because(string code, string message, string? expected = null, string? received = null) =>
            new(EventId, Attempt.Tenant.Id, Now, LoginOutcomes.Failure, code, message, expected, received, AssertionId, NameId, null,
                Attempt.ClientAddress, Attempt.UserAgent);
    }

    /// <summary>
    /// Starts an SP-initiated sign-in: remembers a new request ID for this tenant, single use, briefly, and returns the
    /// value that binds it to the starting browser (the site's ACS URL is part of it).
    /// </summary>
    public async Task<StartedSignIn> StartSignInAsync(Tenant tenant, string acsUrl, string returnTo, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var requestId = AuthnRequestWriter.NewRequestId();
        await requests.SaveAsync(tenant.Id, requestId, returnTo, now, now + options.AuthnRequestLifetime, cancellationToken);
        return new StartedSignIn(requestId, binding.ValueFor(tenant.Id, acsUrl, requestId), options.AuthnRequestLifetime);
    }

    /// <summary>
    /// How long the consumed assertion ID is kept: until validation could no longer accept it, computed as if the tenant
    /// had the largest clock skew allowed, so raising the skew later cannot make a forgotten assertion acceptable again.
    /// </summary>
    private static DateTimeOffset RememberUntil(SamlAssertion assertion, SamlValidationSettings settings)
    {
        var extra = MaxClockSkew > settings.ClockSkew ? MaxClockSkew - settings.ClockSkew : TimeSpan.Zero;
        return assertion.AcceptableUntil > DateTimeOffset.MaxValue - extra ? DateTimeOffset.MaxValue : assertion.AcceptableUntil + extra;
    }

    private static string? Shorten(string? value) => value is { Length: > MaxRequestIdLength } ? value[..MaxRequestIdLength] + "…" : value;

    private SamlValidationResult Validate(string? samlResponse, SamlValidationSettings settings)
    {
        using var activity = TelemetryAttributes.Source.StartActivity("acs.saml.validate");
        var started = Stopwatch.GetTimestamp();
        var validation = validator.Validate(samlResponse, settings);
        var code = validation.IsValid ? null : validation.Failure.Code;
        metrics.ValidationFinished(code, Stopwatch.GetElapsedTime(started));
        activity?.SetTag(TelemetryAttributes.ErrorType, code);
        return validation;
    }

    private SamlValidationSettings SettingsFor(LoginAttempt attempt, Tenant tenant, IdpConfiguration idp) =>
        new(attempt.SpEntityId, attempt.AcsUrl, idp.IdpEntityId, TrustedCertificateCache.For(idp.Certificates))
        {
            ClockSkew = TimeSpan.FromSeconds(tenant.Policy.ClockSkewSeconds),
            AllowSha1 = tenant.Policy.AllowSha1,
            DecryptionKeys = decryptionKeys.For(tenant),
            EncryptedAssertions = tenant.Policy.EncryptedAssertions,
        };

    /// <summary>The refusal's event with the known cause its evidence shows, if any (<see cref="SignInDiagnostics"/>).</summary>
    private async Task<LoginEvent> DiagnosedAsync(LoginAttempt attempt, LoginEvent refused, SamlEvidence? evidence,
        CancellationToken cancellationToken) =>
        refused with
        {
            Diagnosis = await diagnostics.ForFailureAsync(attempt, refused.ErrorCode!, refused.Received, evidence, refused.OccurredAt,
                cancellationToken),
        };

    private async Task<LoginResult> RecordAsync(LoginAttempt attempt, LoginEvent refused, CancellationToken cancellationToken,
        SamlEvidence? evidence = null)
    {
        var diagnosed = await DiagnosedAsync(attempt, refused, evidence, cancellationToken);
        await store.RecordAsync(diagnosed, cancellationToken);
        return Failed(diagnosed);
    }

    private static LoginResult Failed(LoginEvent refused)
    {
        var code = refused.ErrorCode!;
        return new LoginResult(refused.Id, null,
            new LoginFailure(code, refused.Message ?? code, LoginErrorHints.KindOf(code), LoginErrorHints.HintFor(code))
            {
                Diagnosis = refused.Diagnosis,
            });
    }
}
