using Acs.Core.Diagnosis;
using Acs.Core.Login;
using Acs.Core.Saml.Validation;
using Acs.Core.Tenants;
using Acs.Testing.TestIdp;

namespace Acs.Tests.Core.Diagnosis;

/// <summary>The login's entry to the diagnoser: the cross-site certificate look-up happens only when the evidence needs it.</summary>
public sealed class SignInDiagnosticsTests
{
    [Test]
    public async Task ForFailure_WithUntrustedPresentedCertificate_AsksWhetherAnotherSiteTrustsItAndSaysSo()
    {
        var directory = new FakeCertificateTrustDirectory(answer: true);
        var attempt = Attempt();
        var evidence = new SamlEvidence
        {
            ResponseIssuer = TestResponseBuilder.IdpEntityId,
            PresentedCertificateThumbprints = [TestIdpKeys.Default.Trusted.ThumbprintSha256, "ABCDEF"],
        };

        var diagnosis = await new SignInDiagnostics(directory).ForFailureAsync(attempt, SamlErrorCodes.CertificateUntrusted, "abcdef", evidence,
            TestResponseBuilder.Now, CancellationToken.None);

        Assert.That(diagnosis?.Cause, Is.EqualTo(DiagnosisCauses.CertificateOfAnotherSite));
        Assert.That(directory.Calls, Has.Count.EqualTo(1));
        Assert.That(directory.Calls[0].TenantId, Is.EqualTo(attempt.Tenant.Id));
        Assert.That(directory.Calls[0].Thumbprints, Is.EqualTo(new[] { "abcdef" }), "only the untrusted certificate, lower-case");
    }

    [Test]
    public async Task ForFailure_WhenNoOtherSiteTrustsTheCertificate_SaysTheIdpRolledIt()
    {
        var directory = new FakeCertificateTrustDirectory(answer: false);
        var evidence = new SamlEvidence { ResponseIssuer = TestResponseBuilder.IdpEntityId, PresentedCertificateThumbprints = ["abcdef"] };

        var diagnosis = await new SignInDiagnostics(directory).ForFailureAsync(Attempt(), SamlErrorCodes.CertificateUntrusted, "abcdef", evidence,
            TestResponseBuilder.Now, CancellationToken.None);

        Assert.That(diagnosis?.Cause, Is.EqualTo(DiagnosisCauses.IdpCertificateRolled));
    }

    [TestCase(SamlErrorCodes.AudienceMismatch)]
    [TestCase(SamlErrorCodes.SignatureInvalid)]
    [TestCase(SamlErrorCodes.DestinationMismatch)]
    public async Task ForFailure_OfAnotherKind_DoesNotLookUpCertificates(string code)
    {
        var directory = new FakeCertificateTrustDirectory(answer: true);
        var evidence = new SamlEvidence { PresentedCertificateThumbprints = ["abcdef"] };

        await new SignInDiagnostics(directory).ForFailureAsync(Attempt(), code, null, evidence, TestResponseBuilder.Now, CancellationToken.None);

        Assert.That(directory.Calls, Is.Empty);
    }

    [Test]
    public async Task ForFailure_WithOnlyTrustedPresentedCertificates_DoesNotLookUpCertificates()
    {
        var directory = new FakeCertificateTrustDirectory(answer: true);
        var evidence = new SamlEvidence
        {
            ResponseIssuer = "https://sts.windows.net/99999999-8888-7777-6666-555555555555/",
            PresentedCertificateThumbprints = [TestIdpKeys.Default.Trusted.ThumbprintSha256.ToUpperInvariant()],
        };

        var diagnosis = await new SignInDiagnostics(directory).ForFailureAsync(Attempt(), SamlErrorCodes.IssuerMismatch, null, evidence,
            TestResponseBuilder.Now, CancellationToken.None);

        Assert.That(directory.Calls, Is.Empty);
        Assert.That(diagnosis?.Cause, Is.EqualTo(DiagnosisCauses.EntraTenantMismatch));
    }

    private static LoginAttempt Attempt()
    {
        var trusted = TestIdpKeys.Default.Trusted;
        var certificate = new IdpCertificate(trusted.ThumbprintSha256, trusted.ThumbprintSha1, trusted.Der, trusted.Subject, trusted.NotBefore,
            trusted.NotAfter, TestResponseBuilder.Now);
        var tenant = new Tenant(Guid.NewGuid(), "acme", "Acme", TenantPolicy.Default,
            new IdpConfiguration(TestResponseBuilder.IdpEntityId, "https://login.microsoftonline.com/x/saml2", [certificate]),
            TestResponseBuilder.Now, TestResponseBuilder.Now);
        return new LoginAttempt(tenant, TestResponseBuilder.SpEntityId, TestResponseBuilder.AcsUrl, null, null, null);
    }

    private sealed class FakeCertificateTrustDirectory(bool answer) : ICertificateTrustDirectory
    {
        public List<(Guid TenantId, IReadOnlyList<string> Thumbprints)> Calls { get; } = [];

        public Task<bool> IsTrustedByAnotherTenantAsync(Guid tenantId, IReadOnlyList<string> thumbprintsSha256, CancellationToken cancellationToken)
        {
            Calls.Add((tenantId, thumbprintsSha256));
            return Task.FromResult(answer);
        }
    }
}
