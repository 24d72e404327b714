using System.Diagnostics;
using Acs.Core.Certificates;
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
    AcsMetrics metrics)
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
        MeasuredAsync(attempt, () => FailAsync(attempt, Guid.NewGuid(), timeProvider.GetUtcNow(), code, message, cancellationToken));

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

    private async Task<LoginResult> SignInCoreAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        var tenant = attempt.Tenant;
        var eventId = Guid.NewGuid();
        var now = timeProvider.GetUtcNow();

        if (tenant.Idp is not { Certificates.Count: > 0 } idp)
        {
            return await FailAsync(attempt, eventId, now, LoginErrorCodes.SsoNotConfigured,
                "Single sign-on is not configured for this site.", cancellationToken);
        }

        // Validation first: which request the response answers is read only from what a verified signature covers.
        var settings = SettingsFor(attempt, tenant, idp);
        var validation = Validate(attempt.SamlResponse, settings);
        if (!validation.IsValid)
        {
            var failure = validation.Failure;
            return await FailAsync(attempt, eventId, now, failure.Code, failure.Message, cancellationToken,
                failure.Expected, failure.Received, failure.AssertionId, failure.NameId);
        }

        var assertion = validation.Assertion;
        var requestId = assertion.InResponseTo;
        if (requestId is null && !tenant.Policy.AllowIdpInitiated)
        {
            return await FailAsync(attempt, eventId, now, LoginErrorCodes.IdpInitiatedNotAllowed,
                "This site accepts only sign-ins it started (SP-initiated); the response was unsolicited.", cancellationToken,
                assertionId: assertion.AssertionId, nameId: assertion.NameId);
        }

        if (requestId is not null)
        {
            // A signed InResponseTo must name an outstanding request of this tenant, started by this very browser.
            // Nothing is consumed until the sign-in commits, so a refused attempt cannot use up someone's request.
            if (requestId.Length > MaxRequestIdLength || !await requests.IsOutstandingAsync(tenant.Id, requestId, now, cancellationToken))
            {
                return await FailAsync(attempt, eventId, now, SamlErrorCodes.InResponseToUnexpected,
                    "The response answers a sign-in request (InResponseTo) that is unknown, expired or already used.", cancellationToken,
                    received: Shorten(requestId), assertionId: assertion.AssertionId, nameId: assertion.NameId);
            }

            attempt.RequestBindings.TryGetValue(requestId, out var presented);
            if (!binding.Matches(tenant.Id, attempt.AcsUrl, requestId, presented))
            {
                return await FailAsync(attempt, eventId, now, LoginErrorCodes.RequestNotFromThisBrowser,
                    presented is null
                        ? "The response answers a sign-in request this browser did not start: it sent no binding cookie for the request."
                        : "The response answers a sign-in request this browser did not start: its binding cookie does not match the request.",
                    cancellationToken, received: requestId, assertionId: assertion.AssertionId, nameId: assertion.NameId);
            }
        }

        var identity = ClaimsMapper.Map(assertion);
        var (token, tokenHash) = SessionTokens.Create();
        var sessionExpires = now + options.SessionLifetime;
        if (assertion.SessionNotOnOrAfter is { } idpLimit && idpLimit < sessionExpires)
        {
            sessionExpires = idpLimit;
        }

        var successEvent = new LoginEvent(eventId, tenant.Id, now, LoginOutcomes.Success, null, "Signed in", null, null,
            assertion.AssertionId, assertion.NameId, null, attempt.ClientAddress, attempt.UserAgent);
        var commit = new LoginCommit(tenant.Id, assertion.AssertionId, RememberUntil(assertion, settings), identity, tokenHash, sessionExpires,
            successEvent, requestId);

        var result = await store.CommitAsync(commit,
            (bySubject, byEmail) => ProvisioningPolicy.Decide(tenant.Policy, identity, bySubject, byEmail), cancellationToken);

        return result switch
        {
            LoginCommitResult.Committed committed => new LoginResult(eventId,
                new LoginSuccess(committed.Member, token, sessionExpires, committed.ReturnTo, requestId), null),
            LoginCommitResult.Denied denied => await FailAsync(attempt, eventId, now, denied.Code, denied.Message, cancellationToken,
                assertionId: assertion.AssertionId, nameId: assertion.NameId),
            LoginCommitResult.RequestNotOutstanding => await FailAsync(attempt, eventId, now, SamlErrorCodes.InResponseToUnexpected,
                $"The response answers request {requestId}, which was used or expired meanwhile.", cancellationToken,
                received: requestId, assertionId: assertion.AssertionId, nameId: assertion.NameId),
            LoginCommitResult.EmailTaken taken => await FailAsync(attempt, eventId, now, LoginErrorCodes.MemberEmailConflict,
                $"{identity.Email} already belongs to another member of this site ({taken.Constraint}).", cancellationToken,
                assertionId: assertion.AssertionId, nameId: assertion.NameId),
            _ => await FailAsync(attempt, eventId, now, LoginErrorCodes.AssertionReplayed,
                $"The assertion {assertion.AssertionId} was already used to sign in.", cancellationToken,
                assertionId: assertion.AssertionId, nameId: assertion.NameId),
        };
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

    private async Task<LoginResult> FailAsync(LoginAttempt attempt, Guid eventId, DateTimeOffset now, string code, string message,
        CancellationToken cancellationToken, string? expected = null, string? received = null, string? assertionId = null, string? nameId = null)
    {
        await store.RecordAsync(new LoginEvent(eventId, attempt.Tenant.Id, now, LoginOutcomes.Failure, code, message, expected, received,
            assertionId, nameId, null, attempt.ClientAddress, attempt.UserAgent), cancellationToken);
        return new LoginResult(eventId, null, new LoginFailure(code, message, LoginErrorHints.KindOf(code), LoginErrorHints.HintFor(code)));
    }
}
