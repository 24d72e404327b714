using System.Security.Cryptography.Xml;
using System.Xml;
using Acs.Core.Diagnosis;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Microsoft.Extensions.Time.Testing;

namespace Acs.Tests.Core.Diagnosis;

/// <summary>Each known cause from a response the validator refused (or accepted), and the near cases that must not get it.</summary>
public sealed class SignInDiagnoserTests
{
    private const string OtherEntraTenant = "99999999-8888-7777-6666-555555555555";
    private static readonly DateTimeOffset Now = TestResponseBuilder.Now;

    // ---- Audience ------------------------------------------------------------------------------------------------

    [TestCase("spn:3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")]
    [TestCase("3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")]
    public void Diagnose_AudienceIsTheEntraApplicationId_SaysIdentifierIsLeftAtTheAppId(string audience)
    {
        var diagnosis = DiagnoseRefused(new TestResponseBuilder { Audience = audience }, SamlErrorCodes.AudienceMismatch);

        AssertCause(diagnosis, DiagnosisCauses.AudienceIsApplicationId, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d").And.Contain(TestResponseBuilder.SpEntityId)
            .And.Contain("Identifier (Entity ID)"));
    }

    [TestCase("https://acme.statuspage.io", "the missing trailing slash")]
    [TestCase("https://acme.statuspage.io//", "an extra trailing slash")]
    [TestCase("http://acme.statuspage.io/", "the scheme (http instead of https)")]
    [TestCase("https://ACME.statuspage.io/", "letter case")]
    [TestCase("HTTP://Acme.StatusPage.io", "the scheme (http instead of https) and the missing trailing slash and letter case")]
    public void Diagnose_AudienceDifferingOnlyBySlashSchemeOrCase_NamesTheDifference(string audience, string difference)
    {
        var diagnosis = DiagnoseRefused(new TestResponseBuilder { Audience = audience }, SamlErrorCodes.AudienceMismatch);

        AssertCause(diagnosis, DiagnosisCauses.AudienceNearMiss, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("only by " + difference + ".").And.Contain("set exactly " + TestResponseBuilder.SpEntityId));
    }

    [TestCase("https://wrong.example.com/")]
    [TestCase("spn:not-a-guid")]
    [TestCase("https://acme.statuspage.io/other")]
    [TestCase("urn:acme")]
    public void Diagnose_PlainWrongAudience_GetsNoDiagnosis(string audience)
    {
        var diagnosis = DiagnoseRefused(new TestResponseBuilder { Audience = audience }, SamlErrorCodes.AudienceMismatch);

        Assert.That(diagnosis, Is.Null);
    }

    [Test]
    public void Diagnose_AudienceOfAnotherSite_SaysTheApplicationIsSetUpForThatSite()
    {
        var diagnosis = DiagnoseRefused(new TestResponseBuilder { Audience = "https://beta.statuspage.io/" }, SamlErrorCodes.AudienceMismatch);

        AssertCause(diagnosis, DiagnosisCauses.AudienceOfAnotherSite, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("\"beta\""));
    }

    // ---- Destination and Recipient -------------------------------------------------------------------------------

    [Test]
    public void Diagnose_DestinationOfAnotherSite_SaysReplyUrlPointsAtAnotherSite()
    {
        var builder = new TestResponseBuilder { Destination = "https://beta.statuspage.io/sso/saml/consume" };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.DestinationMismatch);

        AssertCause(diagnosis, DiagnosisCauses.ReplyUrlOfAnotherSite, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("\"beta\"").And.Contain("Reply URL").And.Contain(TestResponseBuilder.AcsUrl));
    }

    [Test]
    public void Diagnose_DestinationOnTheStagingDomain_SaysAnotherEnvironment()
    {
        var builder = new TestResponseBuilder { Destination = "https://acme.statuspage-staging.io/sso/saml/consume" };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.DestinationMismatch);

        AssertCause(diagnosis, DiagnosisCauses.ReplyUrlOfAnotherEnvironment, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("acme.statuspage-staging.io").And.Contain("staging"));
    }

    [Test]
    public void Diagnose_DestinationWithTrailingSlash_IsANearMiss()
    {
        var builder = new TestResponseBuilder { Destination = TestResponseBuilder.AcsUrl + "/" };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.DestinationMismatch);

        AssertCause(diagnosis, DiagnosisCauses.ReplyUrlNearMiss, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("an extra trailing slash"));
    }

    [TestCase("https://evil.example/sso/saml/consume")]
    [TestCase("https://beta.statuspage.io/other/path")]
    [TestCase("https://beta.other.io/sso/saml/consume")]
    public void Diagnose_UnrelatedDestination_GetsNoDiagnosis(string destination)
    {
        var diagnosis = DiagnoseRefused(new TestResponseBuilder { Destination = destination }, SamlErrorCodes.DestinationMismatch);

        Assert.That(diagnosis, Is.Null);
    }

    [Test]
    public void Diagnose_RecipientOfAnotherSite_SaysReplyUrlPointsAtAnotherSite()
    {
        var builder = new TestResponseBuilder { Destination = null, Recipient = "https://beta.statuspage.io/sso/saml/consume" };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.SubjectConfirmationInvalid);

        AssertCause(diagnosis, DiagnosisCauses.ReplyUrlOfAnotherSite, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("Recipient"));
    }

    [Test]
    public void Diagnose_ExpiredConfirmationWithTheRightRecipient_GetsNoDiagnosis()
    {
        var builder = new TestResponseBuilder { ConfirmationNotOnOrAfter = Now.AddMinutes(-10) };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.SubjectConfirmationInvalid);

        Assert.That(diagnosis, Is.Null);
    }

    // ---- Issuer and certificates ---------------------------------------------------------------------------------

    [Test]
    public void Diagnose_IssuerOfAnotherEntraTenant_NamesThatTenantButNotTheConfiguredOne()
    {
        var builder = new TestResponseBuilder { ResponseIssuer = $"https://sts.windows.net/{OtherEntraTenant}/" };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.IssuerMismatch);

        AssertCause(diagnosis, DiagnosisCauses.EntraTenantMismatch, DiagnosisFixes.Service);
        Assert.That(diagnosis!.Advice, Does.Contain(OtherEntraTenant).And.Not.Contain(TestResponseBuilder.EntraTenantId));
    }

    [Test]
    public void Diagnose_IssuerWithoutTrailingSlash_IsANearMiss()
    {
        var builder = new TestResponseBuilder { ResponseIssuer = TestResponseBuilder.IdpEntityId.TrimEnd('/') };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.IssuerMismatch);

        AssertCause(diagnosis, DiagnosisCauses.IssuerNearMiss, DiagnosisFixes.Service);
    }

    [Test]
    public void Diagnose_IssuerOfAnotherIdp_GetsNoDiagnosis()
    {
        var builder = new TestResponseBuilder { ResponseIssuer = "https://idp.example.org/saml" };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.IssuerMismatch);

        Assert.That(diagnosis, Is.Null);
    }

    [Test]
    public void Diagnose_CertificateTrustedByAnotherSite_SaysSoWithoutItsData()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker } };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.CertificateUntrusted, trustedElsewhere: true);

        AssertCause(diagnosis, DiagnosisCauses.CertificateOfAnotherSite, DiagnosisFixes.Service);
        Assert.That(diagnosis!.Advice, Does.Contain("trusted by another site of this service")
            .And.Not.Contain(TestIdpKeys.Attacker.Trusted.ThumbprintSha256).And.Not.Contain(TestIdpKeys.Default.Trusted.ThumbprintSha256));
    }

    [Test]
    public void Diagnose_OtherEntraTenantSigningWithAnotherSitesCertificate_PrefersTheCertificateCause()
    {
        var builder = new TestResponseBuilder
        {
            ResponseIssuer = $"https://sts.windows.net/{OtherEntraTenant}/",
            AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker },
        };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.IssuerMismatch, trustedElsewhere: true);

        AssertCause(diagnosis, DiagnosisCauses.CertificateOfAnotherSite, DiagnosisFixes.Service);
    }

    [Test]
    public void Diagnose_UnknownCertificateFromTheConfiguredIssuer_SaysTheIdpRolledItsCertificate()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker } };

        var (failure, diagnosis) = Refuse(builder, SamlErrorCodes.CertificateUntrusted);

        AssertCause(diagnosis, DiagnosisCauses.IdpCertificateRolled, DiagnosisFixes.Service);
        Assert.That(diagnosis!.Advice, Does.Contain("add the new certificate").IgnoreCase.And.Contain("metadata URL"));
        Assert.That(failure.Expected, Is.EqualTo(TestIdpKeys.Default.Trusted.ThumbprintSha256));
        Assert.That(failure.Received, Is.EqualTo(TestIdpKeys.Attacker.Trusted.ThumbprintSha256));
    }

    [Test]
    public void Diagnose_UnknownCertificateFromAnotherIssuer_GetsNoDiagnosis()
    {
        var builder = new TestResponseBuilder
        {
            ResponseIssuer = null,
            AssertionIssuer = "https://idp.example.org/saml",
            AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker },
        };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.CertificateUntrusted);

        Assert.That(diagnosis, Is.Null);
    }

    [Test]
    public void Validate_SignatureThatDoesNotVerify_CarriesTrustedAndPresentedThumbprints()
    {
        var document = new TestResponseBuilder().Build();
        var email = document.GetElementsByTagName("AttributeValue", SamlConstants.AssertionNamespace).Cast<XmlElement>()
            .First(e => e.InnerText == "jane.doe@contoso.test");
        email.InnerText = "mallory@contoso.test";

        var failure = Validate(TestResponseBuilder.ToBytes(document), TestResponseBuilder.Settings()).Failure;

        Assert.That(failure?.Code, Is.EqualTo(SamlErrorCodes.SignatureInvalid), failure?.Message);
        Assert.That(failure!.Expected, Is.EqualTo(TestIdpKeys.Default.Trusted.ThumbprintSha256));
        Assert.That(failure.Received, Is.EqualTo(TestIdpKeys.Default.Trusted.ThumbprintSha256));
    }

    [Test]
    public void Validate_SignatureWithoutKeyInfoThatDoesNotVerify_CarriesTrustedThumbprintsOnly()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker, IncludeKeyInfo = false } };

        var failure = Validate(builder.BuildBytes(), TestResponseBuilder.Settings()).Failure;

        Assert.That(failure?.Code, Is.EqualTo(SamlErrorCodes.SignatureInvalid), failure?.Message);
        Assert.That(failure!.Expected, Is.EqualTo(TestIdpKeys.Default.Trusted.ThumbprintSha256));
        Assert.That(failure.Received, Is.Null);
    }

    // ---- Time ----------------------------------------------------------------------------------------------------

    [Test]
    public void Diagnose_EntraResponseIssuedSevenMinutesAhead_SaysByHowMuchAndBlamesThisServicesClock()
    {
        var builder = new TestResponseBuilder { IssueInstant = Now.AddMinutes(7), NotBefore = Now.AddMinutes(2) };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.AssertionNotYetValid);

        AssertCause(diagnosis, DiagnosisCauses.ClockSkew, DiagnosisFixes.Service);
        Assert.That(diagnosis!.Advice, Does.Contain("7 minutes ahead").And.Contain("allows 3 minutes").And.Contain("NTP"));
    }

    [Test]
    public void Diagnose_OtherIdpResponseIssuedAhead_BlamesTheIdpsClock()
    {
        const string issuer = "https://idp.example.org/saml";
        var builder = new TestResponseBuilder
        {
            ResponseIssuer = issuer,
            AssertionIssuer = issuer,
            IssueInstant = Now.AddSeconds(100),
            NotBefore = null,
        };
        var settings = TestResponseBuilder.Settings() with { IdpEntityId = issuer, ClockSkew = TimeSpan.FromSeconds(30) };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.AssertionNotYetValid, settings);

        AssertCause(diagnosis, DiagnosisCauses.ClockSkew, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("100 seconds ahead").And.Contain("allows 30 seconds"));
    }

    [Test]
    public void Diagnose_NotBeforeInTheFutureWithATimelyIssueInstant_GetsNoDiagnosis()
    {
        var builder = new TestResponseBuilder { NotBefore = Now.AddMinutes(10) };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.AssertionNotYetValid);

        Assert.That(diagnosis, Is.Null);
    }

    [Test]
    public void Diagnose_EntraResponseIssuedTwentyMinutesBehind_SaysByHowMuchAndBlamesThisServicesClock()
    {
        var issued = Now.AddMinutes(-20);
        var builder = new TestResponseBuilder
        {
            IssueInstant = issued,
            NotBefore = issued.AddMinutes(-5),
            ConfirmationNotOnOrAfter = issued.AddMinutes(5),
            NotOnOrAfter = issued.AddHours(1),
        };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.AssertionTooOld);

        AssertCause(diagnosis, DiagnosisCauses.ClockSkew, DiagnosisFixes.Service);
        Assert.That(diagnosis!.Advice, Does.Contain("20 minutes before").And.Contain("allows 3 minutes").And.Contain("NTP"));
    }

    [Test]
    public void Diagnose_OtherIdpResponseWhoseConfirmationExpiredOnArrival_BlamesTheIdpsClock()
    {
        const string issuer = "https://idp.example.org/saml";
        var issued = Now.AddMinutes(-9);
        var builder = new TestResponseBuilder
        {
            ResponseIssuer = issuer,
            AssertionIssuer = issuer,
            IssueInstant = issued,
            NotBefore = null,
            ConfirmationNotOnOrAfter = issued.AddMinutes(5),
        };
        var settings = TestResponseBuilder.Settings() with { IdpEntityId = issuer };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.SubjectConfirmationInvalid, settings);

        AssertCause(diagnosis, DiagnosisCauses.ClockSkew, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("9 minutes before").And.Contain("left open"));
    }

    [Test]
    public void Diagnose_ResponsePostedHoursAfterItWasIssued_IsReadAsAStalePostNotAClock()
    {
        var issued = Now.AddHours(-3);
        var builder = new TestResponseBuilder
        {
            IssueInstant = issued,
            NotBefore = issued.AddMinutes(-5),
            ConfirmationNotOnOrAfter = issued.AddMinutes(5),
            NotOnOrAfter = issued.AddHours(1),
        };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.AssertionExpired);

        Assert.That(diagnosis, Is.Null);
    }

    [Test]
    public void Diagnose_ExpiredConditionsWithATimelyIssueInstant_GetsNoDiagnosis()
    {
        var builder = new TestResponseBuilder { NotOnOrAfter = Now.AddMinutes(-10) };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.AssertionExpired);

        Assert.That(diagnosis, Is.Null);
    }

    // ---- Algorithms ----------------------------------------------------------------------------------------------

    [Test]
    public void Diagnose_Sha1SignatureWhereTheSiteForbidsIt_SaysWhereToSwitchToSha256()
    {
        var builder = new TestResponseBuilder { AssertionSignature = SignatureOptions.Sha1 };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.SignatureAlgorithmNotAllowed);

        AssertCause(diagnosis, DiagnosisCauses.Sha1Signature, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("Single sign-on → SAML Certificates").And.Contain("Signing Algorithm: SHA-256")
            .And.Contain("Signing Option"));
    }

    [Test]
    public void Diagnose_OtherDisallowedAlgorithm_GetsNoSha1Cause()
    {
        var builder = new TestResponseBuilder
        {
            AssertionSignature = new SignatureOptions { Transforms = () => [new XmlDsigEnvelopedSignatureTransform()] },
        };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.SignatureAlgorithmNotAllowed);

        Assert.That(diagnosis, Is.Null);
    }

    // ---- Entra's status ------------------------------------------------------------------------------------------

    [TestCase("Responder", "AADSTS50105", DiagnosisCauses.EntraUserNotAssigned, DiagnosisFixes.Idp, "Users and groups")]
    [TestCase("Requester", "AADSTS50011", DiagnosisCauses.EntraReplyUrlMismatch, DiagnosisFixes.Idp, TestResponseBuilder.AcsUrl)]
    [TestCase("Responder", "AADSTS75011", DiagnosisCauses.EntraAuthenticationMethodMismatch, DiagnosisFixes.Idp, "authentication method")]
    [TestCase("Requester", "AADSTS750054", DiagnosisCauses.EntraBindingProblem, DiagnosisFixes.Service, "HTTP-Redirect binding")]
    [TestCase("Requester", "AADSTS700016", DiagnosisCauses.EntraApplicationNotFound, DiagnosisFixes.Idp, TestResponseBuilder.SpEntityId)]
    [TestCase("Responder", "AADSTS50076", DiagnosisCauses.EntraMfaRequired, DiagnosisFixes.Idp, "multi-factor")]
    [TestCase("Responder", "AADSTS50079", DiagnosisCauses.EntraMfaRegistrationRequired, DiagnosisFixes.Idp, "aka.ms/mfasetup")]
    [TestCase("Responder", "AADSTS50034", DiagnosisCauses.EntraUserNotFound, DiagnosisFixes.Idp, "does not exist")]
    [TestCase("Responder", "AADSTS50020", DiagnosisCauses.EntraGuestNotInTenant, DiagnosisFixes.Idp, "guest")]
    [TestCase("Responder", "AADSTS50057", DiagnosisCauses.EntraUserDisabled, DiagnosisFixes.Idp, "Account enabled")]
    [TestCase("Responder", "AADSTS50053", DiagnosisCauses.EntraAccountLocked, DiagnosisFixes.Idp, "locked")]
    [TestCase("Responder", "AADSTS53003", DiagnosisCauses.EntraConditionalAccessBlocked, DiagnosisFixes.Idp, "Conditional Access")]
    [TestCase("Requester", "AADSTS90015", DiagnosisCauses.EntraRequestTooLong, DiagnosisFixes.Service, "too long")]
    public void Diagnose_EntraErrorInStatusMessage_IsExplainedInPlainWords(string status, string aadsts, string cause, string fix, string advice)
    {
        var builder = new TestResponseBuilder
        {
            StatusCode = "urn:oasis:names:tc:SAML:2.0:status:" + status,
            StatusMessage = $"{aadsts}: Something went wrong. Trace ID: 0e2b Correlation ID: 77aa Timestamp: 2026-03-02 09:00:00Z",
        };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.IdpStatusNotSuccess);

        AssertCause(diagnosis, cause, fix);
        Assert.That(diagnosis!.Advice, Does.StartWith($"Entra refused the sign-in ({aadsts}): ").And.Contain(advice));
    }

    [TestCase("urn:oasis:names:tc:SAML:2.0:status:Responder", "The user cancelled.")]
    [TestCase("urn:oasis:names:tc:SAML:2.0:status:Responder", "AADSTS99999: something new")]
    [TestCase("urn:oasis:names:tc:SAML:2.0:status:Responder", "XAADSTS50105 is not a code")]
    [TestCase("urn:oasis:names:tc:SAML:2.0:status:VersionMismatch", "AADSTS50105: user not assigned")]
    public void Diagnose_StatusWithoutAKnownEntraCode_GetsNoDiagnosis(string status, string message)
    {
        var builder = new TestResponseBuilder { StatusCode = status, StatusMessage = message };

        var diagnosis = DiagnoseRefused(builder, SamlErrorCodes.IdpStatusNotSuccess);

        Assert.That(diagnosis, Is.Null);
    }

    // ---- Group overage (successful sign-ins) ---------------------------------------------------------------------

    [Test]
    public void Diagnose_SuccessfulSignInWithGroupsLinkAndNoGroups_FlagsTheOverage()
    {
        var builder = new TestResponseBuilder();
        builder.Attributes.Add(new(SignInDiagnoser.EntraGroupsLinkClaim,
            "https://graph.windows.net/11111111-2222-3333-4444-555555555555/users/9f5c3e2a/getMemberObjects"));

        var diagnosis = DiagnoseAccepted(builder);

        AssertCause(diagnosis, DiagnosisCauses.EntraGroupsOverage, DiagnosisFixes.Idp);
        Assert.That(diagnosis!.Advice, Does.Contain("Role mapping by groups cannot see them").And.Contain("Attributes & Claims"));
    }

    [Test]
    public void Diagnose_SuccessfulSignInWithGroups_GetsNoDiagnosis()
    {
        var withGroups = new TestResponseBuilder();
        withGroups.Attributes.Add(new(SignInDiagnoser.EntraGroupsClaim, "6f3b9c1e-0000-4000-8000-000000000001"));
        withGroups.Attributes.Add(new(SignInDiagnoser.EntraGroupsLinkClaim, "https://graph.windows.net/x/users/y/getMemberObjects"));

        Assert.That(DiagnoseAccepted(withGroups), Is.Null);
        Assert.That(DiagnoseAccepted(new TestResponseBuilder()), Is.Null);
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private static SamlValidationResult Validate(byte[] xml, SamlValidationSettings settings, DateTimeOffset? now = null) =>
        new SamlResponseValidator(new FakeTimeProvider(now ?? Now)).ValidateXml(xml, settings);

    private static SignInDiagnosis? DiagnoseRefused(TestResponseBuilder builder, string code, SamlValidationSettings? settings = null,
        bool trustedElsewhere = false) => Refuse(builder, code, settings, trustedElsewhere).Diagnosis;

    private static (SamlFailure Failure, SignInDiagnosis? Diagnosis) Refuse(TestResponseBuilder builder, string code,
        SamlValidationSettings? settings = null, bool trustedElsewhere = false)
    {
        settings ??= TestResponseBuilder.Settings();
        var result = Validate(builder.BuildBytes(), settings);
        Assert.That(result.IsValid, Is.False, "the response was accepted");
        Assert.That(result.Failure!.Code, Is.EqualTo(code), result.Failure.Message);
        Assert.That(result.Failure.Evidence, Is.Not.Null, "a refused response carries its evidence");
        var context = ContextFor(result.Failure.Code, result.Failure.Received, result.Failure.Evidence, settings) with
        {
            PresentedCertificateTrustedByAnotherSite = trustedElsewhere,
        };
        return (result.Failure, SignInDiagnoser.Diagnose(context));
    }

    private static SignInDiagnosis? DiagnoseAccepted(TestResponseBuilder builder)
    {
        var settings = TestResponseBuilder.Settings();
        var result = Validate(builder.BuildBytes(), settings);
        Assert.That(result.IsValid, Is.True, () => $"{result.Failure?.Code}: {result.Failure?.Message}");
        var evidence = new SamlEvidence { AssertionIssuer = result.Assertion!.Issuer, AttributeNames = [.. result.Assertion.Attributes.Keys] };
        return SignInDiagnoser.Diagnose(ContextFor(null, null, evidence, settings));
    }

    private static DiagnosisContext ContextFor(string? code, string? received, SamlEvidence? evidence, SamlValidationSettings settings) =>
        new(code, received, evidence, "acme", settings.SpEntityId, settings.AcsUrl, settings.IdpEntityId,
            settings.TrustedCertificates.Select(c => c.ThumbprintSha256).ToList(), settings.AllowSha1, settings.ClockSkew, Now);

    private static void AssertCause(SignInDiagnosis? diagnosis, string cause, string fix)
    {
        Assert.That(diagnosis, Is.Not.Null, "no diagnosis");
        Assert.That(diagnosis!.Cause, Is.EqualTo(cause), diagnosis.Advice);
        Assert.That(diagnosis.Fix, Is.EqualTo(fix));
        Assert.That(diagnosis.Advice, Is.Not.Empty);
    }
}
