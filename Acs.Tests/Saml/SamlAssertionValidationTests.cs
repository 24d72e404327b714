using Acs.Core.Saml;
using Acs.Tests.Saml.TestIdp;
using static Acs.Tests.Saml.TestIdp.ResponseMutations;

namespace Acs.Tests.Saml;

/// <summary>Rules 9–12 on a correctly signed assertion, and the result record.</summary>
[TestFixture]
public sealed class SamlAssertionValidationTests : SamlValidatorTestBase
{
    private static readonly DateTimeOffset Now = TestResponseBuilder.Now;
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    // ---- Result ----

    [Test]
    public void Validate_WithEntraShapedResponse_ReturnsEveryResultField()
    {
        var builder = new TestResponseBuilder
        {
            ResponseId = "_resp-1",
            AssertionId = "_assert-1",
            SessionNotOnOrAfter = Now.AddHours(8),
            NotOnOrAfter = Now.AddHours(1),
            ConfirmationNotOnOrAfter = Now.AddMinutes(5),
        };

        var assertion = AssertAccepted(Validate(builder));

        Assert.Multiple(() =>
        {
            Assert.That(assertion.AssertionId, Is.EqualTo("_assert-1"));
            Assert.That(assertion.ResponseId, Is.EqualTo("_resp-1"));
            Assert.That(assertion.Issuer, Is.EqualTo(TestResponseBuilder.IdpEntityId));
            Assert.That(assertion.NameId, Is.EqualTo("jane.doe@contoso.test"));
            Assert.That(assertion.NameIdFormat, Is.EqualTo(TestResponseBuilder.EmailFormat));
            Assert.That(assertion.SessionIndex, Is.EqualTo("_assert-1"));
            Assert.That(assertion.IssueInstant, Is.EqualTo(Now));
            Assert.That(assertion.NotOnOrAfter, Is.EqualTo(Now.AddMinutes(5)), "earliest of Conditions and SubjectConfirmationData");
            Assert.That(assertion.SessionNotOnOrAfter, Is.EqualTo(Now.AddHours(8)));
            Assert.That(assertion.InResponseTo, Is.Null);
            Assert.That(assertion.Attributes[TestResponseBuilder.ClaimObjectId], Is.EqualTo(new[] { "9f5c3e2a-7d41-4c8e-b0f6-2a1d3c4b5e6f" }));
            Assert.That(assertion.Attributes[TestResponseBuilder.ClaimEmail], Is.EqualTo(new[] { "jane.doe@contoso.test" }));
            Assert.That(assertion.Attributes[TestResponseBuilder.ClaimTenantId], Is.EqualTo(new[] { TestResponseBuilder.EntraTenantId }));
        });
    }

    [Test]
    public void Validate_WithConditionsEndingBeforeConfirmation_ExpiresWithConditions()
    {
        var builder = new TestResponseBuilder { NotOnOrAfter = Now.AddMinutes(2), ConfirmationNotOnOrAfter = Now.AddMinutes(5) };

        Assert.That(AssertAccepted(Validate(builder)).NotOnOrAfter, Is.EqualTo(Now.AddMinutes(2)));
    }

    [Test]
    public void Validate_WithMultiValuedRoleClaim_KeepsEveryValueInOrder()
    {
        var builder = new TestResponseBuilder();
        builder.Attributes.Add(new(TestResponseBuilder.ClaimRole, "client_administrator"));
        builder.Attributes.Add(new(TestResponseBuilder.ClaimRole, "team_member"));

        var assertion = AssertAccepted(Validate(builder));

        Assert.That(assertion.Attributes[TestResponseBuilder.ClaimRole], Is.EqualTo(new[] { "client_administrator", "team_member" }));
    }

    [Test]
    public void Validate_WithCommentInsideSignedAttributeValue_ReadsTheWholeSignedValue()
    {
        // Exclusive c14n drops comments, so the signed value is all the text; reading the first text node would truncate.
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        var email = Select(document, $"//saml:Attribute[@Name='{TestResponseBuilder.ClaimEmail}']/saml:AttributeValue");
        email.InnerXml = "jane.doe@contoso.test<!-- c -->.evil.test";
        TestSigner.Sign(Assertion(document));

        var assertion = AssertAccepted(Validate(document));

        Assert.That(assertion.Attributes[TestResponseBuilder.ClaimEmail], Is.EqualTo(new[] { "jane.doe@contoso.test.evil.test" }));
    }

    [Test]
    public void Validate_FailureAfterSignatureVerification_CarriesAssertionIdAndNameId()
    {
        var result = Validate(new TestResponseBuilder { AssertionId = "_a1", Audience = "https://other.example/" });

        AssertRefused(result, SamlErrorCodes.AudienceMismatch);
        Assert.That(result.Failure!.AssertionId, Is.EqualTo("_a1"));
        Assert.That(result.Failure.NameId, Is.EqualTo("jane.doe@contoso.test"));
    }

    // ---- Rule 9 ----

    [Test]
    public void Validate_WithWrongIssuerOnAssertion_IsRefused()
    {
        var result = Validate(new TestResponseBuilder { AssertionIssuer = "https://sts.windows.net/evil/" });

        AssertRefused(result, SamlErrorCodes.IssuerMismatch);
        Assert.That(result.Failure!.Expected, Is.EqualTo(TestResponseBuilder.IdpEntityId));
        Assert.That(result.Failure.Received, Is.EqualTo("https://sts.windows.net/evil/"));
    }

    [Test]
    public void Validate_WithAssertionVersionOtherThan20_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        Assertion(document).SetAttribute("Version", "1.1");
        TestSigner.Sign(Assertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.ResponseNotSaml);
    }

    // ---- Rule 10, each at the edge of the clock skew ----

    [TestCase(-1, true)]
    [TestCase(1, false)]
    public void Validate_WithNotBeforeAtTheSkewEdge_IsDecidedToTheSecond(int secondsPastEdge, bool accepted)
    {
        var builder = new TestResponseBuilder { NotBefore = Now + Skew + TimeSpan.FromSeconds(secondsPastEdge) };

        var result = Validate(builder);

        if (accepted)
        {
            AssertAccepted(result);
        }
        else
        {
            AssertRefused(result, SamlErrorCodes.AssertionNotYetValid);
        }
    }

    [TestCase(1, true)]
    [TestCase(-1, false)]
    public void Validate_WithConditionsNotOnOrAfterAtTheSkewEdge_IsDecidedToTheSecond(int secondsPastEdge, bool accepted)
    {
        var builder = new TestResponseBuilder { NotOnOrAfter = Now - Skew + TimeSpan.FromSeconds(secondsPastEdge) };

        var result = Validate(builder);

        if (accepted)
        {
            AssertAccepted(result);
        }
        else
        {
            AssertRefused(result, SamlErrorCodes.AssertionExpired);
        }
    }

    [TestCase(1, true)]
    [TestCase(-1, false)]
    public void Validate_WithSubjectConfirmationNotOnOrAfterAtTheSkewEdge_IsDecidedToTheSecond(int secondsPastEdge, bool accepted)
    {
        var builder = new TestResponseBuilder { ConfirmationNotOnOrAfter = Now - Skew + TimeSpan.FromSeconds(secondsPastEdge) };

        var result = Validate(builder);

        if (accepted)
        {
            AssertAccepted(result);
        }
        else
        {
            AssertRefused(result, SamlErrorCodes.SubjectConfirmationInvalid);
        }
    }

    [TestCase(1, true)]
    [TestCase(-1, false)]
    public void Validate_WithIssueInstantAtTheMaximumAgeEdge_IsDecidedToTheSecond(int secondsPastEdge, bool accepted)
    {
        var settings = TestResponseBuilder.Settings() with { MaxAssertionAge = TimeSpan.FromMinutes(10) };
        var issued = Now - TimeSpan.FromMinutes(10) - Skew + TimeSpan.FromSeconds(secondsPastEdge);
        var builder = new TestResponseBuilder { IssueInstant = issued, NotBefore = issued, ConfirmationNotOnOrAfter = Now.AddMinutes(5) };

        var result = Validate(builder, settings);

        if (accepted)
        {
            AssertAccepted(result);
        }
        else
        {
            AssertRefused(result, SamlErrorCodes.AssertionTooOld);
        }
    }

    [Test]
    public void Validate_WithIssueInstantBeyondSkewInTheFuture_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { IssueInstant = Now + Skew + OneSecond, NotBefore = null }), SamlErrorCodes.AssertionNotYetValid);

    [Test]
    public void Validate_WithSubjectConfirmationNotBeforeInTheFuture_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { ConfirmationNotBefore = Now + Skew + OneSecond }), SamlErrorCodes.SubjectConfirmationInvalid);

    [Test]
    public void Validate_WithSubjectConfirmationNotBeforeInThePast_IsAccepted() =>
        AssertAccepted(Validate(new TestResponseBuilder { ConfirmationNotBefore = Now.AddMinutes(-1) }));

    [Test]
    public void Validate_WithClockMovedPastExpiry_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder(), now: Now.AddHours(2)), SamlErrorCodes.AssertionExpired);

    [TestCase("2026-03-02T09:00:00")]
    [TestCase("2026-03-02T08:00:00-01:00")]
    [TestCase("2026-03-02T09:00:00.123456789Z")]
    public void Validate_WithOtherValidTimeForms_IsAccepted(string issueInstant)
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        Assertion(document).SetAttribute("IssueInstant", issueInstant);
        TestSigner.Sign(Assertion(document));

        Assert.That(AssertAccepted(Validate(document)).IssueInstant, Is.EqualTo(Now).Within(TimeSpan.FromSeconds(1)));
    }

    [TestCase("NotBefore", "soon", SamlErrorCodes.AssertionNotYetValid)]
    [TestCase("NotOnOrAfter", "03/02/2026 10:00:00", SamlErrorCodes.AssertionExpired)]
    public void Validate_WithMalformedConditionTime_IsRefused(string attribute, string value, string code)
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        Select(document, "//saml:Conditions").SetAttribute(attribute, value);
        TestSigner.Sign(Assertion(document));

        AssertRefused(Validate(document), code);
    }

    // ---- Rule 11 ----

    [Test]
    public void Validate_WithWrongAudience_IsRefusedWithExpectedAndReceived()
    {
        var result = Validate(new TestResponseBuilder { Audience = "https://other.statuspage.io/" });

        AssertRefused(result, SamlErrorCodes.AudienceMismatch);
        Assert.That(result.Failure!.Expected, Is.EqualTo(TestResponseBuilder.SpEntityId));
        Assert.That(result.Failure.Received, Is.EqualTo("https://other.statuspage.io/"));
    }

    [Test]
    public void Validate_WithAnAudienceRestrictionThatExcludesUs_IsRefused()
    {
        var builder = new TestResponseBuilder();
        builder.AudienceRestrictions.Add(["https://other.statuspage.io/"]);

        AssertRefused(Validate(builder), SamlErrorCodes.AudienceMismatch);
    }

    [Test]
    public void Validate_WithUsAmongSeveralAudiences_IsAccepted()
    {
        var builder = new TestResponseBuilder();
        builder.AudienceRestrictions[0].Insert(0, "https://other.statuspage.io/");

        AssertAccepted(Validate(builder));
    }

    [Test]
    public void Validate_WithNoConditions_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { IncludeConditions = false }), SamlErrorCodes.AudienceMismatch);

    [Test]
    public void Validate_WithConditionsButNoAudienceRestriction_IsRefused()
    {
        var builder = new TestResponseBuilder();
        builder.AudienceRestrictions.Clear();

        AssertRefused(Validate(builder), SamlErrorCodes.AudienceMismatch);
    }

    // ---- Rule 12 ----

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("jane.doe@contoso.test<!-- injected -->.evil.test")]
    [TestCase("<!-- c -->jane.doe@contoso.test")]
    [TestCase("jane<b>.doe</b>@contoso.test")]
    [TestCase("<![CDATA[jane.doe@contoso.test]]>")]
    public void Validate_WithNameIdThatIsNotOneNonEmptyTextNode_IsRefused(string innerXml)
    {
        // Signed after the edit: the signature is valid, the NameID policy alone refuses it.
        var builder = new TestResponseBuilder { NameIdInnerXml = innerXml };

        var result = Validate(builder);

        AssertRefused(result, SamlErrorCodes.NameIdInvalid);
        Assert.That(result.Failure!.NameId, Is.Null, "a partial NameID must never be reported as the identity");
    }

    [Test]
    public void Validate_WithNameIdContainingSpecialCharacters_ReturnsItExactly()
    {
        var assertion = AssertAccepted(Validate(new TestResponseBuilder { NameId = "o'brien+tag&co#EXT#@contoso.test" }));

        Assert.That(assertion.NameId, Is.EqualTo("o'brien+tag&co#EXT#@contoso.test"));
    }

    [Test]
    public void Validate_WithWrongRecipient_IsRefusedWithExpectedAndReceived()
    {
        var result = Validate(new TestResponseBuilder { Recipient = "https://evil.example/acs" });

        AssertRefused(result, SamlErrorCodes.SubjectConfirmationInvalid);
        Assert.That(result.Failure!.Expected, Is.EqualTo(TestResponseBuilder.AcsUrl));
        Assert.That(result.Failure.Received, Is.EqualTo("https://evil.example/acs"));
    }

    [Test]
    public void Validate_WithHolderOfKeyConfirmationOnly_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { ConfirmationMethod = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key" }), SamlErrorCodes.SubjectConfirmationInvalid);

    [Test]
    public void Validate_WithBearerConfirmationWithoutNotOnOrAfter_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { ConfirmationNotOnOrAfter = null }), SamlErrorCodes.SubjectConfirmationInvalid);

    [Test]
    public void Validate_WithHolderOfKeyAndAValidBearerConfirmation_IsAccepted()
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        var bearer = Select(document, "//saml:SubjectConfirmation");
        var holderOfKey = (System.Xml.XmlElement)bearer.CloneNode(deep: true);
        holderOfKey.SetAttribute("Method", "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key");
        bearer.ParentNode!.InsertBefore(holderOfKey, bearer);
        TestSigner.Sign(Assertion(document));

        AssertAccepted(Validate(document));
    }

    [Test]
    public void Validate_WithInResponseToOnUnsolicitedResponse_IsRefused()
    {
        var result = Validate(new TestResponseBuilder { ResponseInResponseTo = "_req1", ConfirmationInResponseTo = "_req1" });

        AssertRefused(result, SamlErrorCodes.InResponseToUnexpected);
        Assert.That(result.Failure!.Received, Is.EqualTo("_req1"));
    }

    [Test]
    public void Validate_WithInResponseToOnlyOnTheResponse_IsRefusedWhenNotExpected() =>
        AssertRefused(Validate(new TestResponseBuilder { ResponseInResponseTo = "_req1" }), SamlErrorCodes.InResponseToUnexpected);

    [Test]
    public void Validate_WithInResponseToOfAnOutstandingRequest_IsAccepted()
    {
        var settings = TestResponseBuilder.Settings() with { ExpectedRequestIds = ["_req0", "_req1"] };

        var assertion = AssertAccepted(Validate(new TestResponseBuilder { ResponseInResponseTo = "_req1", ConfirmationInResponseTo = "_req1" }, settings));

        Assert.That(assertion.InResponseTo, Is.EqualTo("_req1"));
    }

    [Test]
    public void Validate_WithInResponseToOfAnotherRequest_IsRefused()
    {
        var settings = TestResponseBuilder.Settings() with { ExpectedRequestIds = ["_req0"] };

        AssertRefused(Validate(new TestResponseBuilder { ConfirmationInResponseTo = "_req1" }, settings), SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public void Validate_WithDifferentInResponseToOnResponseAndConfirmation_IsRefused()
    {
        var settings = TestResponseBuilder.Settings() with { ExpectedRequestIds = ["_req0", "_req1"] };

        AssertRefused(Validate(new TestResponseBuilder { ResponseInResponseTo = "_req0", ConfirmationInResponseTo = "_req1" }, settings), SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public void Validate_WithUnsolicitedResponseWhileRequestsAreOutstanding_IsAccepted()
    {
        var settings = TestResponseBuilder.Settings() with { ExpectedRequestIds = ["_req0"] };

        AssertAccepted(Validate(new TestResponseBuilder(), settings));
    }
}
