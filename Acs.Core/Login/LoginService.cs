using Acs.Core.Certificates;
using Acs.Core.EncryptionKeys;
using Acs.Core.Provisioning;
using Acs.Core.Saml;
using Acs.Core.Tenants;

namespace Acs.Core.Login;

/// <summary>The sign-in use case: validate the posted response for the tenant, provision the member, open a session.</summary>
public sealed class LoginService(
    SamlResponseValidator validator, ILoginStore store, IAuthnRequestStore requests, LoginOptions options, TimeProvider timeProvider,
    SpDecryptionKeys decryptionKeys)
{
    public async Task<LoginResult> SignInAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        var tenant = attempt.Tenant;
        var eventId = Guid.NewGuid();
        var now = timeProvider.GetUtcNow();

        if (tenant.Idp is not { Certificates.Count: > 0 } idp)
        {
            return await FailAsync(attempt, eventId, now, LoginErrorCodes.SsoNotConfigured,
                "Single sign-on is not configured for this site.", cancellationToken);
        }

        var settings = SettingsFor(attempt, tenant, idp);
        // An SP-initiated response names the request it answers; only an outstanding request of this tenant is expected.
        if (SamlResponsePeek.InResponseTo(attempt.SamlResponse, settings.MaxResponseBytes) is { } requestId
            && await requests.IsOutstandingAsync(tenant.Id, requestId, now, cancellationToken))
        {
            settings = settings with { ExpectedRequestIds = [requestId] };
        }

        var validation = validator.Validate(attempt.SamlResponse, settings);
        if (!validation.IsValid)
        {
            var failure = validation.Failure;
            return await FailAsync(attempt, eventId, now, failure.Code, failure.Message, cancellationToken,
                failure.Expected, failure.Received, failure.AssertionId, failure.NameId);
        }

        var assertion = validation.Assertion;
        if (assertion.InResponseTo is null && !tenant.Policy.AllowIdpInitiated)
        {
            return await FailAsync(attempt, eventId, now, LoginErrorCodes.IdpInitiatedNotAllowed,
                "This site accepts only sign-ins it started (SP-initiated); the response was unsolicited.", cancellationToken,
                assertionId: assertion.AssertionId, nameId: assertion.NameId);
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
        var commit = new LoginCommit(tenant.Id, assertion.AssertionId, assertion.NotOnOrAfter, identity, tokenHash, sessionExpires, successEvent,
            assertion.InResponseTo);

        var result = await store.CommitAsync(commit,
            (bySubject, byEmail) => ProvisioningPolicy.Decide(tenant.Policy, identity, bySubject, byEmail), cancellationToken);

        return result switch
        {
            LoginCommitResult.Committed committed => new LoginResult(eventId,
                new LoginSuccess(committed.Member, token, sessionExpires, committed.ReturnTo), null),
            LoginCommitResult.Denied denied => await FailAsync(attempt, eventId, now, denied.Code, denied.Message, cancellationToken,
                assertionId: assertion.AssertionId, nameId: assertion.NameId),
            _ => await FailAsync(attempt, eventId, now, LoginErrorCodes.AssertionReplayed,
                $"The assertion {assertion.AssertionId} was already used to sign in.", cancellationToken,
                assertionId: assertion.AssertionId, nameId: assertion.NameId),
        };
    }

    /// <summary>Starts an SP-initiated sign-in: remembers a new request ID for this tenant, single use, briefly.</summary>
    public async Task<string> StartSignInAsync(Tenant tenant, string returnTo, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var requestId = AuthnRequestWriter.NewRequestId();
        await requests.SaveAsync(tenant.Id, requestId, returnTo, now, now + options.AuthnRequestLifetime, cancellationToken);
        return requestId;
    }

    /// <summary>Records a refusal that happened before the response could be read (e.g. an oversize post).</summary>
    public Task<LoginResult> RefuseAsync(LoginAttempt attempt, string code, string message, CancellationToken cancellationToken) =>
        FailAsync(attempt, Guid.NewGuid(), timeProvider.GetUtcNow(), code, message, cancellationToken);

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
