using Acs.Core.Login;
using Acs.Core.Saml.Validation;

namespace Acs.Core.Diagnosis;

/// <summary>
/// The login's entry to <see cref="SignInDiagnoser"/>: builds the context from the attempt's site and, only when the
/// evidence shows a certificate this site does not trust, asks whether another site of this service trusts it.
/// </summary>
public sealed class SignInDiagnostics(ICertificateTrustDirectory certificates)
{
    /// <summary>At most this many presented thumbprints are looked up (a response carries one or two signatures).</summary>
    private const int MaxLookedUpThumbprints = 4;

    /// <summary>The diagnosis of a refused sign-in, or null.</summary>
    public async Task<SignInDiagnosis?> ForFailureAsync(LoginAttempt attempt, string code, string? received, SamlEvidence? evidence,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var context = ContextFor(attempt, code, received, evidence, now);
        if (code is SamlErrorCodes.CertificateUntrusted or SamlErrorCodes.IssuerMismatch && context.UntrustedPresentedThumbprints.Count > 0)
        {
            var thumbprints = context.UntrustedPresentedThumbprints.Take(MaxLookedUpThumbprints).Select(t => t.ToLowerInvariant()).ToList();
            context = context with
            {
                PresentedCertificateTrustedByAnotherSite =
                    await certificates.IsTrustedByAnotherTenantAsync(attempt.Tenant.Id, thumbprints, cancellationToken),
            };
        }

        return SignInDiagnoser.Diagnose(context);
    }

    /// <summary>What a successful sign-in's verified assertion shows (e.g. Entra's group overage), or null.</summary>
    public static SignInDiagnosis? ForSuccess(LoginAttempt attempt, SamlAssertion assertion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(assertion);
        var evidence = new SamlEvidence { AssertionIssuer = assertion.Issuer, AttributeNames = [.. assertion.Attributes.Keys] };
        return SignInDiagnoser.Diagnose(ContextFor(attempt, null, null, evidence, now));
    }

    private static DiagnosisContext ContextFor(LoginAttempt attempt, string? code, string? received, SamlEvidence? evidence, DateTimeOffset now)
    {
        var tenant = attempt.Tenant;
        return new DiagnosisContext(code, received, evidence, tenant.Subdomain, attempt.SpEntityId, attempt.AcsUrl, tenant.Idp?.IdpEntityId,
            tenant.Idp?.Certificates.Select(c => c.ThumbprintSha256).ToList() ?? [], tenant.Policy.AllowSha1,
            TimeSpan.FromSeconds(tenant.Policy.ClockSkewSeconds), now);
    }
}
