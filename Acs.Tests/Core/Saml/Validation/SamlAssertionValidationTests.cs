using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using static Acs.Testing.TestIdp.ResponseMutations;

namespace Acs.Tests.Core.Saml.Validation;

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
    public void Validate_WithSessionNotOnOrAfterAlreadyPast_IsRefusedAsExpired()
    {
        var builder = new TestResponseBuilder { SessionNotOnOrAfter = Now.AddMinutes(-4) };

        AssertRefused(Validate(builder), SamlErrorCodes.AssertionExpired);
    }

    [Test]
    public void Validate_WithSessionNotOnOrAfterJustPastButWithinSkew_IsAccepted()
    {
        var builder = new TestResponseBuilder { SessionNotOnOrAfter = Now.AddMinutes(-2) };

        Assert.That(AssertAccepted(Validate(builder)).SessionNotOnOrAfter, Is.EqualTo(Now.AddMinutes(-2)));
    }

    [Test]
    public void Validate_WithConditionsEndingBeforeConfirmation_ExpiresWithConditions()
    {
        var builder = new TestResponseBuilder { NotOnOrAfter = Now.AddMinutes(2), ConfirmationNotOnOrAfter = Now.AddMinutes(5) };

        Assert.That(AssertAccepted(Validate(builder)).NotOnOrAfter, Is.EqualTo(Now.AddMinutes(2)));
    }

    // ---- AcceptableUntil: how long replay protection must remember the assertion ----

    [TestCase(2, 60, 2, Description = "Conditions/@NotOnOrAfter is the earliest")]
    [TestCase(60, 3, 3, Description = "SubjectConfirmationData/@NotOnOrAfter is the earliest")]
    [TestCase(60, 60, 10, Description = "IssueInstant + the maximum age (10 minutes) is the earliest")]
    public void Validate_AcceptableUntil_IsTheEarliestTimeBoundPlusSkew(int conditionsMinutes, int confirmationMinutes, int earliestMinutes)
    {
        var builder = new TestResponseBuilder
        {
            NotOnOrAfter = Now.AddMinutes(conditionsMinutes),
            ConfirmationNotOnOrAfter = Now.AddMinutes(confirmationMinutes),
        };

        Assert.That(AssertAccepted(Validate(builder)).AcceptableUntil, Is.EqualTo(Now.AddMinutes(earliestMinutes) + Skew));
    }

    [Test]
    public void Validate_AcceptableUntil_IsAcceptedJustBeforeAndRefusedJustAfter()
    {
        var builder = new TestResponseBuilder { NotOnOrAfter = Now.AddMinutes(1), ConfirmationNotOnOrAfter = Now.AddMinutes(1) };
        var bytes = builder.BuildBytes();
        var until = AssertAccepted(Validate(bytes)).AcceptableUntil;

        AssertAccepted(Validate(bytes, now: until - OneSecond));
        Assert.That(Validate(bytes, now: until + OneSecond).IsValid, Is.False);
    }

    [Test]
    public void Validate_AcceptableUntil_FollowsTheLatestBearerConfirmationForUs()
    {
        // A replay later than the first confirmation's end can still pass through the second: the row must outlive it.
        var document = new TestResponseBuilder { Sign = SignMode.None, ConfirmationNotOnOrAfter = Now.AddMinutes(1) }.BuildUnsigned();
        var first = Select(document, "//saml:SubjectConfirmation");
        var later = (System.Xml.XmlElement)first.CloneNode(deep: true);
        ((System.Xml.XmlElement)later.FirstChild!).SetAttribute("NotOnOrAfter", TestResponseBuilder.Time(Now.AddMinutes(4)));
        var elsewhere = (System.Xml.XmlElement)first.CloneNode(deep: true);
        ((System.Xml.XmlElement)elsewhere.FirstChild!).SetAttribute("NotOnOrAfter", TestResponseBuilder.Time(Now.AddMinutes(8)));
        ((System.Xml.XmlElement)elsewhere.FirstChild!).SetAttribute("Recipient", "https://other.example/acs");
        first.ParentNode!.AppendChild(later);
        first.ParentNode!.AppendChild(elsewhere);
        TestSigner.Sign(Assertion(document));

        var assertion = AssertAccepted(Validate(document));

        Assert.That(assertion.NotOnOrAfter, Is.EqualTo(Now.AddMinutes(1)), "the confirmation used now");
        Assert.That(assertion.AcceptableUntil, Is.EqualTo(Now.AddMinutes(4) + Skew), "the latest one addressed to us");
        AssertAccepted(Validate(document, now: Now.AddMinutes(4) + Skew - OneSecond));
    }

    [Test]
    public void Validate_WithFarFutureNotOnOrAfter_IsAcceptedAndBoundedByTheMaximumAge()
    {
        var builder = new TestResponseBuilder
        {
            NotOnOrAfter = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero),
            ConfirmationNotOnOrAfter = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero),
        };

        Assert.That(AssertAccepted(Validate(builder)).AcceptableUntil, Is.EqualTo(Now + TimeSpan.FromMinutes(10) + Skew));
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

    // ---- Rules 10-11: every condition must be understood (SAML Core 2.5.1: an unknown one is Indeterminate) ----

    [TestCase("<ProxyRestriction Count=\"0\"/>", "ProxyRestriction")]
    [TestCase("<ProxyRestriction><Audience>https://acme.statuspage.io/</Audience></ProxyRestriction>", "ProxyRestriction")]
    [TestCase("<Condition xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:x=\"urn:example:conditions\" xsi:type=\"x:OfficeHours\"/>", "Condition")]
    [TestCase("<x:DelegationRestriction xmlns:x=\"urn:oasis:names:tc:SAML:2.0:conditions:delegation\"/>", "DelegationRestriction")]
    [TestCase("<x:OneTimeUse xmlns:x=\"urn:example:not-saml\"/>", "OneTimeUse")]
    public void Validate_WithAConditionThisServiceDoesNotUnderstand_IsRefusedNamingIt(string conditionXml, string localName)
    {
        var result = Validate(new TestResponseBuilder { ExtraConditionsXml = conditionXml });

        AssertRefused(result, SamlErrorCodes.ConditionUnsupported);
        Assert.That(result.Failure!.Message, Does.Contain(localName));
        Assert.That(result.Failure.Received, Does.EndWith("}" + localName));
    }

    [Test]
    public void Validate_WithAnUnknownConditionOnAResponseSignedResponse_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { Sign = SignMode.Response, ExtraConditionsXml = "<ProxyRestriction Count=\"1\"/>" }),
            SamlErrorCodes.ConditionUnsupported);

    [Test]
    public void Validate_WithAnUnknownConditionBeforeTheAudienceRestriction_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        var conditions = Select(document, "//saml:Conditions");
        conditions.InsertBefore(document.CreateElement("ProxyRestriction", SamlConstants.AssertionNamespace), conditions.FirstChild);
        TestSigner.Sign(Assertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.ConditionUnsupported);
    }

    [Test]
    public void Validate_WithOneTimeUse_IsAccepted() =>
        AssertAccepted(Validate(new TestResponseBuilder { ExtraConditionsXml = "<OneTimeUse/>" }));

    [Test]
    public void Validate_WithOneTimeUseTwice_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { ExtraConditionsXml = "<OneTimeUse/><OneTimeUse/>" }), SamlErrorCodes.ConditionUnsupported);

    [Test]
    public void Validate_WithCommentsAndWhitespaceBetweenConditions_IsAccepted() =>
        AssertAccepted(Validate(new TestResponseBuilder { ExtraConditionsXml = "\n  <!-- note -->\n  <OneTimeUse/>\n" }));

    [Test]
    public void Validate_WithAnExpiredAssertionCarryingAnUnknownCondition_IsRefusedAsExpired() =>
        AssertRefused(Validate(new TestResponseBuilder { NotOnOrAfter = Now - Skew - OneSecond, ExtraConditionsXml = "<ProxyRestriction/>" }),
            SamlErrorCodes.AssertionExpired);

    [Test]
    public void Validate_WithTwoConditionsElements_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        var conditions = Select(document, "//saml:Conditions");
        var second = (System.Xml.XmlElement)conditions.CloneNode(deep: true);
        second.SetAttribute("NotBefore", TestResponseBuilder.Time(Now.AddMinutes(-1)));
        conditions.ParentNode!.InsertAfter(second, conditions);
        TestSigner.Sign(Assertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.ResponseNotSaml);
    }

    // ---- Rule 12 ----

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("jane.doe@contoso.test<!-- injected -->.evil.test")]
    [TestCase("<!-- c -->jane.doe@contoso.test")]
    [TestCase("jane<b>.doe</b>@contoso.test")]
    [TestCase("<![CDATA[jane.doe@contoso.test]]>")]
    [TestCase("&#x200B;")]
    [TestCase("&#xFEFF;")]
    [TestCase("&#x200B;&#x2060;&#x200D;")]
    [TestCase("&#x9;&#xA;&#xD;")]
    [TestCase("jane.doe@contoso.test&#x200B;")]
    [TestCase("jane.doe&#x9;@contoso.test")]
    [TestCase("&#xA;jane.doe@contoso.test&#xA;")]
    [TestCase("<NameID>jane.doe@contoso.test</NameID>")]
    public void Validate_WithNameIdThatIsNotOneNonEmptyTextNode_IsRefused(string innerXml)
    {
        // Signed after the edit: the signature is valid, the NameID policy alone refuses it.
        var builder = new TestResponseBuilder { NameIdInnerXml = innerXml };

        var result = Validate(builder);

        AssertRefused(result, SamlErrorCodes.NameIdInvalid);
        Assert.That(result.Failure!.NameId, Is.Null, "a partial NameID must never be reported as the identity");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Validate_WithSelfClosingEmptyNameId_IsRefused(bool withFormat)
    {
        var document = new TestResponseBuilder { Sign = SignMode.None, NameIdFormat = withFormat ? TestResponseBuilder.EmailFormat : null }.BuildUnsigned();
        var nameId = Select(document, "//saml:NameID");
        nameId.IsEmpty = true;
        TestSigner.Sign(Assertion(document));

        var result = Validate(document);

        AssertRefused(result, SamlErrorCodes.NameIdInvalid);
        Assert.That(document.OuterXml, Does.Contain("/><SubjectConfirmation"), "the NameID is written as <NameID/>");
    }

    [Test]
    public void Validate_WithTwoNameIds_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { NameIdInnerXml = "jane.doe@contoso.test</NameID><NameID>mallory@contoso.test" }),
            SamlErrorCodes.NameIdInvalid);

    [Test]
    public void Validate_WithNonAsciiNameId_ReturnsItExactly() =>
        Assert.That(AssertAccepted(Validate(new TestResponseBuilder { NameId = "jürgen.müller@contoso.test" })).NameId,
            Is.EqualTo("jürgen.müller@contoso.test"));

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

    // ---- Rule 12, InResponseTo: only a value a verified signature covers counts ----

    [Test]
    public void Validate_WithInResponseToOnlyOnTheUnsignedResponse_IsUnsolicited()
    {
        // The assertion is signed, the Response is not: anyone can add that attribute on the way.
        var assertion = AssertAccepted(Validate(new TestResponseBuilder { ResponseInResponseTo = "_req1" }));

        Assert.That(assertion.InResponseTo, Is.Null);
    }

    [Test]
    public void Validate_WithInResponseToAddedToTheResponseAfterSigningTheAssertion_IsUnsolicited()
    {
        var document = new TestResponseBuilder().Build();
        document.DocumentElement!.SetAttribute("InResponseTo", "_req1");

        Assert.That(AssertAccepted(Validate(document)).InResponseTo, Is.Null);
    }

    [Test]
    public void Validate_WithInResponseToOnlyOnTheSignedSubjectConfirmationData_ReturnsIt() =>
        Assert.That(AssertAccepted(Validate(new TestResponseBuilder { ConfirmationInResponseTo = "_req1" })).InResponseTo, Is.EqualTo("_req1"));

    [TestCase(SignMode.Assertion)]
    [TestCase(SignMode.Response)]
    [TestCase(SignMode.Both)]
    public void Validate_WithTheSameInResponseToOnResponseAndConfirmation_ReturnsIt(SignMode sign)
    {
        var builder = new TestResponseBuilder { Sign = sign, ResponseInResponseTo = "_req1", ConfirmationInResponseTo = "_req1" };

        Assert.That(AssertAccepted(Validate(builder)).InResponseTo, Is.EqualTo("_req1"));
    }

    [Test]
    public void Validate_WithUnsignedResponseInResponseToDisagreeingWithTheSignedConfirmation_ReturnsTheSignedOne()
    {
        var builder = new TestResponseBuilder { ResponseInResponseTo = "_forged", ConfirmationInResponseTo = "_req1" };

        Assert.That(AssertAccepted(Validate(builder)).InResponseTo, Is.EqualTo("_req1"));
    }

    [TestCase(SignMode.Response)]
    [TestCase(SignMode.Both)]
    public void Validate_WithInResponseToOnlyOnTheSignedResponse_ReturnsIt(SignMode sign) =>
        Assert.That(AssertAccepted(Validate(new TestResponseBuilder { Sign = sign, ResponseInResponseTo = "_req1" })).InResponseTo,
            Is.EqualTo("_req1"));

    [TestCase(SignMode.Response)]
    [TestCase(SignMode.Both)]
    public void Validate_WithDifferentInResponseToOnTheSignedResponseAndConfirmation_IsRefused(SignMode sign)
    {
        var result = Validate(new TestResponseBuilder { Sign = sign, ResponseInResponseTo = "_req0", ConfirmationInResponseTo = "_req1" });

        AssertRefused(result, SamlErrorCodes.InResponseToUnexpected);
        Assert.That(result.Failure!.Expected, Is.EqualTo("_req0"));
        Assert.That(result.Failure.Received, Is.EqualTo("_req1"));
    }

    [Test]
    public void Validate_WithInResponseToChangedOnASignedResponse_IsRefusedAsTampered()
    {
        var document = new TestResponseBuilder { Sign = SignMode.Response, ResponseInResponseTo = "_req1" }.Build();
        document.DocumentElement!.SetAttribute("InResponseTo", "_req2");

        AssertRefused(Validate(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithInResponseToOnlyOnAnExpiredBearerConfirmation_IsUnsolicitedThroughTheValidOne()
    {
        // The confirmation that satisfies the rules is the one whose InResponseTo counts.
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        var valid = Select(document, "//saml:SubjectConfirmation");
        var expired = (System.Xml.XmlElement)valid.CloneNode(deep: true);
        var expiredData = (System.Xml.XmlElement)expired.FirstChild!;
        expiredData.SetAttribute("NotOnOrAfter", TestResponseBuilder.Time(Now - Skew - OneSecond));
        expiredData.SetAttribute("InResponseTo", "_req1");
        valid.ParentNode!.InsertBefore(expired, valid);
        TestSigner.Sign(Assertion(document));

        Assert.That(AssertAccepted(Validate(document)).InResponseTo, Is.Null);
    }
}
