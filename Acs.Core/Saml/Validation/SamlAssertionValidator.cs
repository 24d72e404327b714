using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Validation;

/// <summary>
/// Rules 9–12 on the verified assertion element (never one re-selected from the document): version and issuer,
/// time window, conditions, audience, subject and bearer confirmation, InResponseTo; then the result record.
/// </summary>
internal static class SamlAssertionValidator
{
    private const string A = SamlConstants.AssertionNamespace;

    public static SamlValidationResult Validate(
        XmlElement assertion,
        SamlResponseDocument response,
        SignedParts signedParts,
        SamlValidationSettings settings,
        DateTimeOffset now)
    {
        var assertionId = SamlXml.Attribute(assertion, "ID");
        var subject = SamlXml.Single(assertion, "Subject", A, out _);
        var nameIdElement = subject is null ? null : SamlXml.Single(subject, "NameID", A, out _);
        var nameId = nameIdElement is null ? null : SamlXml.SingleText(nameIdElement);
        var nameIdUsable = IsUsableNameId(nameId);

        // Failures after this point are about a signed assertion; its ID and NameID help the login event log.
        SamlValidationResult Fail(SamlFailure failure) =>
            SamlValidationResult.Fail(failure with
            {
                AssertionId = assertionId,
                NameId = nameIdUsable ? nameId : null,
                Evidence = SamlEvidenceReader.Read(response.Root, assertion),
            });

        // Rule 9.
        if (SamlXml.Attribute(assertion, "Version") != SamlConstants.Version)
        {
            return Fail(new SamlFailure(SamlErrorCodes.ResponseNotSaml, "The Assertion is not SAML version 2.0.")
            {
                Expected = SamlConstants.Version,
                Received = SamlXml.Attribute(assertion, "Version"),
            });
        }

        if (!SamlXml.IsNcName(assertionId))
        {
            return Fail(new SamlFailure(SamlErrorCodes.ResponseNotSaml, "The Assertion has no valid ID."));
        }

        if (!SamlTime.TryParse(SamlXml.Attribute(assertion, "IssueInstant"), out var issueInstant))
        {
            return Fail(new SamlFailure(SamlErrorCodes.ResponseNotSaml, "The Assertion has no valid IssueInstant.")
            {
                Received = SamlXml.Attribute(assertion, "IssueInstant"),
            });
        }

        var issuerElement = SamlXml.Single(assertion, "Issuer", A, out _);
        var issuer = issuerElement is null ? null : SamlXml.SingleText(issuerElement);
        if (!string.Equals(issuer, settings.IdpEntityId, StringComparison.Ordinal))
        {
            return Fail(new SamlFailure(SamlErrorCodes.IssuerMismatch, "The Assertion's Issuer is not the configured IdP entity ID.")
            {
                Expected = settings.IdpEntityId,
                Received = issuerElement?.InnerText,
            });
        }

        // Rule 10.
        var conditions = SamlXml.Single(assertion, "Conditions", A, out var conditionsCount);
        if (conditionsCount > 1)
        {
            return Fail(new SamlFailure(SamlErrorCodes.ResponseNotSaml, "The Assertion has more than one Conditions element."));
        }

        DateTimeOffset? conditionsNotOnOrAfter = null;
        if (conditions is not null)
        {
            if (CheckConditionTimes(conditions, settings, now, out conditionsNotOnOrAfter) is { } timeFailure)
            {
                return Fail(timeFailure);
            }
        }

        if (issueInstant > now + settings.ClockSkew)
        {
            return Fail(new SamlFailure(SamlErrorCodes.AssertionNotYetValid, "The Assertion's IssueInstant is in the future.")
            {
                Expected = $"at most {Format(now + settings.ClockSkew)}",
                Received = Format(issueInstant),
            });
        }

        if (issueInstant < now - settings.MaxAssertionAge - settings.ClockSkew)
        {
            return Fail(new SamlFailure(SamlErrorCodes.AssertionTooOld, "The Assertion was issued too long ago.")
            {
                Expected = $"at least {Format(now - settings.MaxAssertionAge - settings.ClockSkew)}",
                Received = Format(issueInstant),
            });
        }

        // SAML Core 2.5.1.1: a condition the relying party does not understand makes the assertion Indeterminate,
        // which must not be read as valid.
        if (conditions is not null && CheckConditionKinds(conditions) is { } conditionFailure)
        {
            return Fail(conditionFailure);
        }

        // Rule 11. Without Conditions there is no AudienceRestriction naming us, so the assertion could be meant
        // for any SP: refused as an audience mismatch.
        if (CheckAudience(conditions, settings) is { } audienceFailure)
        {
            return Fail(audienceFailure);
        }

        // Rule 12.
        if (subject is null || nameIdElement is null || !IsUsableNameId(nameId))
        {
            return Fail(new SamlFailure(SamlErrorCodes.NameIdInvalid, subject is null || nameIdElement is null
                ? "The Assertion has no single Subject/NameID."
                : "The NameID must be exactly one non-empty text value (no comments, child elements, control or invisible characters)."));
        }

        if (CheckSubjectConfirmation(subject, settings, now, out var confirmationData, out var confirmationNotOnOrAfter,
                out var latestConfirmationNotOnOrAfter) is { } confirmationFailure)
        {
            return Fail(confirmationFailure);
        }

        // Only what a verified signature covers counts. The assertion read here is always covered (by its own signature
        // or the Response's); the Response's own attribute only when the Response's signature verified.
        var confirmationInResponseTo = SamlXml.Attribute(confirmationData!, "InResponseTo");
        var responseInResponseTo = signedParts.HasFlag(SignedParts.Response) ? SamlXml.Attribute(response.Root, "InResponseTo") : null;
        if (responseInResponseTo is not null && confirmationInResponseTo is not null
            && !string.Equals(responseInResponseTo, confirmationInResponseTo, StringComparison.Ordinal))
        {
            return Fail(new SamlFailure(SamlErrorCodes.InResponseToUnexpected, "The Response and its SubjectConfirmationData answer different requests.")
            {
                Expected = responseInResponseTo,
                Received = confirmationInResponseTo,
            });
        }

        if (ReadAuthnStatement(assertion, settings, now, out var sessionIndex, out var sessionNotOnOrAfter) is { } authnFailure)
        {
            return Fail(authnFailure);
        }

        var notOnOrAfter = conditionsNotOnOrAfter is { } c && c < confirmationNotOnOrAfter ? c : confirmationNotOnOrAfter;

        // Every time bound above, plus the skew: after this instant no check of this validator can pass again. The
        // confirmation bound is the latest bearer confirmation's, as any of them may satisfy a later attempt.
        var acceptableUntil = Earliest(
            Plus(issueInstant, settings.MaxAssertionAge + settings.ClockSkew),
            Plus(latestConfirmationNotOnOrAfter, settings.ClockSkew),
            conditionsNotOnOrAfter is { } conditionsBound ? Plus(conditionsBound, settings.ClockSkew) : null);
        return SamlValidationResult.Success(new SamlAssertion(
            assertionId!,
            response.ResponseId,
            issuer!,
            nameId,
            SamlXml.Attribute(nameIdElement, "Format"),
            sessionIndex,
            issueInstant,
            notOnOrAfter,
            acceptableUntil,
            sessionNotOnOrAfter,
            confirmationInResponseTo ?? responseInResponseTo,
            signedParts,
            ReadAttributes(assertion)));
    }

    private static SamlFailure? CheckConditionTimes(XmlElement conditions, SamlValidationSettings settings, DateTimeOffset now, out DateTimeOffset? notOnOrAfter)
    {
        notOnOrAfter = null;
        var notBeforeText = SamlXml.Attribute(conditions, "NotBefore");
        if (notBeforeText is not null)
        {
            if (!SamlTime.TryParse(notBeforeText, out var notBefore))
            {
                return new SamlFailure(SamlErrorCodes.AssertionNotYetValid, "Conditions/@NotBefore is not a valid time.") { Received = notBeforeText };
            }

            if (notBefore > now + settings.ClockSkew)
            {
                return new SamlFailure(SamlErrorCodes.AssertionNotYetValid, "The Assertion is not valid yet (Conditions/@NotBefore).")
                {
                    Expected = $"at most {Format(now + settings.ClockSkew)}",
                    Received = Format(notBefore),
                };
            }
        }

        var notOnOrAfterText = SamlXml.Attribute(conditions, "NotOnOrAfter");
        if (notOnOrAfterText is not null)
        {
            if (!SamlTime.TryParse(notOnOrAfterText, out var parsed))
            {
                return new SamlFailure(SamlErrorCodes.AssertionExpired, "Conditions/@NotOnOrAfter is not a valid time.") { Received = notOnOrAfterText };
            }

            if (parsed <= now - settings.ClockSkew)
            {
                return new SamlFailure(SamlErrorCodes.AssertionExpired, "The Assertion has expired (Conditions/@NotOnOrAfter).")
                {
                    Expected = $"after {Format(now - settings.ClockSkew)}",
                    Received = Format(parsed),
                };
            }

            notOnOrAfter = parsed;
        }

        return null;
    }

    private static SamlFailure? CheckAudience(XmlElement? conditions, SamlValidationSettings settings)
    {
        var restrictions = conditions is null ? [] : SamlXml.Children(conditions, "AudienceRestriction", A).ToList();
        if (restrictions.Count == 0)
        {
            return new SamlFailure(SamlErrorCodes.AudienceMismatch, conditions is null
                ? "The Assertion has no Conditions, so no audience restriction names this service."
                : "The Assertion has no AudienceRestriction naming this service.")
            {
                Expected = settings.SpEntityId,
            };
        }

        foreach (var restriction in restrictions)
        {
            var audiences = SamlXml.Children(restriction, "Audience", A).Select(a => SamlXml.SingleText(a)).ToList();
            if (!audiences.Contains(settings.SpEntityId, StringComparer.Ordinal))
            {
                return new SamlFailure(SamlErrorCodes.AudienceMismatch, "The Assertion is meant for another audience (SP entity ID).")
                {
                    Expected = settings.SpEntityId,
                    Received = string.Join(", ", audiences),
                };
            }
        }

        return null;
    }

    /// <summary>At least one bearer confirmation addressed to our ACS URL and valid now. Holder-of-key and
    /// sender-vouches are not supported, so a subject confirmed only that way is refused.</summary>
    /// <param name="latestNotOnOrAfter">The latest NotOnOrAfter among the bearer confirmations addressed to us:
    /// until then (plus skew) one of them may still be accepted.</param>
    private static SamlFailure? CheckSubjectConfirmation(
        XmlElement subject,
        SamlValidationSettings settings,
        DateTimeOffset now,
        out XmlElement? confirmationData,
        out DateTimeOffset notOnOrAfter,
        out DateTimeOffset latestNotOnOrAfter)
    {
        confirmationData = null;
        notOnOrAfter = default;
        latestNotOnOrAfter = default;
        SamlFailure? firstProblem = null;
        foreach (var confirmation in SamlXml.Children(subject, "SubjectConfirmation", A))
        {
            if (SamlXml.Attribute(confirmation, "Method") != SamlConstants.BearerMethod)
            {
                continue;
            }

            var data = SamlXml.Single(confirmation, "SubjectConfirmationData", A, out _);
            if (data is not null && string.Equals(SamlXml.Attribute(data, "Recipient"), settings.AcsUrl, StringComparison.Ordinal)
                && SamlTime.TryParse(SamlXml.Attribute(data, "NotOnOrAfter"), out var bound) && bound > latestNotOnOrAfter)
            {
                latestNotOnOrAfter = bound;
            }

            var problem = CheckBearerData(data, settings, now, out var expiry);
            if (problem is null && confirmationData is null)
            {
                confirmationData = data;
                notOnOrAfter = expiry;
            }
            else if (problem is not null)
            {
                firstProblem ??= problem;
            }
        }

        if (confirmationData is not null)
        {
            return null;
        }

        return firstProblem ?? new SamlFailure(SamlErrorCodes.SubjectConfirmationInvalid,
            "The Subject has no bearer SubjectConfirmation (other confirmation methods are not supported).")
        {
            Expected = SamlConstants.BearerMethod,
        };
    }

    private static SamlFailure? CheckBearerData(XmlElement? data, SamlValidationSettings settings, DateTimeOffset now, out DateTimeOffset notOnOrAfter)
    {
        notOnOrAfter = default;
        if (data is null)
        {
            return new SamlFailure(SamlErrorCodes.SubjectConfirmationInvalid, "The bearer SubjectConfirmation has no single SubjectConfirmationData.");
        }

        var recipient = SamlXml.Attribute(data, "Recipient");
        if (!string.Equals(recipient, settings.AcsUrl, StringComparison.Ordinal))
        {
            return new SamlFailure(SamlErrorCodes.SubjectConfirmationInvalid, "SubjectConfirmationData/@Recipient is not this service's ACS URL.")
            {
                Expected = settings.AcsUrl,
                Received = recipient,
            };
        }

        var notOnOrAfterText = SamlXml.Attribute(data, "NotOnOrAfter");
        if (!SamlTime.TryParse(notOnOrAfterText, out notOnOrAfter))
        {
            return new SamlFailure(SamlErrorCodes.SubjectConfirmationInvalid, "SubjectConfirmationData/@NotOnOrAfter is missing or not a valid time.")
            {
                Received = notOnOrAfterText,
            };
        }

        if (notOnOrAfter <= now - settings.ClockSkew)
        {
            return new SamlFailure(SamlErrorCodes.SubjectConfirmationInvalid, "The bearer confirmation has expired (SubjectConfirmationData/@NotOnOrAfter).")
            {
                Expected = $"after {Format(now - settings.ClockSkew)}",
                Received = Format(notOnOrAfter),
            };
        }

        var notBeforeText = SamlXml.Attribute(data, "NotBefore");
        if (notBeforeText is not null && !(SamlTime.TryParse(notBeforeText, out var notBefore) && notBefore <= now + settings.ClockSkew))
        {
            return new SamlFailure(SamlErrorCodes.SubjectConfirmationInvalid, "SubjectConfirmationData/@NotBefore is invalid or in the future.")
            {
                Received = notBeforeText,
            };
        }

        return null;
    }

    /// <summary>Every child of Conditions must be one this service evaluates: AudienceRestriction (rule 11) or a
    /// single OneTimeUse (replay protection already makes every assertion single-use). Anything else — ProxyRestriction,
    /// a typed Condition, another namespace's element — is refused by name.</summary>
    private static SamlFailure? CheckConditionKinds(XmlElement conditions)
    {
        var oneTimeUse = 0;
        foreach (var condition in SamlXml.Children(conditions))
        {
            var known = condition.NamespaceURI == A && condition.LocalName is "AudienceRestriction" or "OneTimeUse";
            if (known && condition.LocalName == "OneTimeUse" && ++oneTimeUse > 1)
            {
                return new SamlFailure(SamlErrorCodes.ConditionUnsupported, "The Assertion's Conditions hold more than one OneTimeUse.")
                {
                    Received = "{" + A + "}OneTimeUse",
                };
            }

            if (!known)
            {
                return new SamlFailure(SamlErrorCodes.ConditionUnsupported,
                    $"The Assertion carries the condition <{condition.LocalName}> ({(condition.NamespaceURI.Length == 0 ? "no namespace" : condition.NamespaceURI)}), " +
                    "which this service does not evaluate; SAML makes such an assertion Indeterminate.")
                {
                    Expected = "AudienceRestriction, OneTimeUse",
                    Received = "{" + condition.NamespaceURI + "}" + condition.LocalName,
                };
            }
        }

        return null;
    }

    /// <summary>A NameID is an identifier: it must have a visible character and no control or format (invisible)
    /// characters, which would make look-alike identities ("admin" and "admin" + U+200B).</summary>
    private static bool IsUsableNameId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? nameId)
    {
        if (string.IsNullOrWhiteSpace(nameId))
        {
            return false;
        }

        foreach (var c in nameId)
        {
            var category = char.GetUnicodeCategory(c);
            if (category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
            {
                return false;
            }
        }

        return true;
    }

    private static DateTimeOffset Earliest(DateTimeOffset first, DateTimeOffset second, DateTimeOffset? third)
    {
        var earliest = first < second ? first : second;
        return third is { } value && value < earliest ? value : earliest;
    }

    /// <summary>Saturates instead of overflowing: an IdP may write NotOnOrAfter="9999-12-31T23:59:59Z".</summary>
    private static DateTimeOffset Plus(DateTimeOffset time, TimeSpan span) =>
        time > DateTimeOffset.MaxValue - span ? DateTimeOffset.MaxValue : time + span;

    private static SamlFailure? ReadAuthnStatement(XmlElement assertion, SamlValidationSettings settings, DateTimeOffset now,
        out string? sessionIndex, out DateTimeOffset? sessionNotOnOrAfter)
    {
        sessionIndex = null;
        sessionNotOnOrAfter = null;
        var statement = SamlXml.First(assertion, "AuthnStatement", A);
        if (statement is null)
        {
            return null;
        }

        sessionIndex = SamlXml.Attribute(statement, "SessionIndex");
        var text = SamlXml.Attribute(statement, "SessionNotOnOrAfter");
        if (text is null)
        {
            return null;
        }

        if (!SamlTime.TryParse(text, out var parsed))
        {
            return new SamlFailure(SamlErrorCodes.ResponseNotSaml, "AuthnStatement/@SessionNotOnOrAfter is not a valid time.") { Received = text };
        }

        // A session the IdP has already ended cannot be opened here: it would be expired the moment it was created.
        if (parsed <= now - settings.ClockSkew)
        {
            return new SamlFailure(SamlErrorCodes.AssertionExpired, "The IdP's session for this sign-in has already ended (AuthnStatement/@SessionNotOnOrAfter).")
            {
                Expected = $"after {Format(now - settings.ClockSkew)}",
                Received = Format(parsed),
            };
        }

        sessionNotOnOrAfter = parsed;
        return null;
    }

    /// <summary>Attributes by Name. A value is all its text (InnerText skips comments), so a comment cannot
    /// truncate it: the value read is the value that was signed.</summary>
    private static Dictionary<string, IReadOnlyList<string>> ReadAttributes(XmlElement assertion)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var statement in SamlXml.Children(assertion, "AttributeStatement", A))
        {
            foreach (var attribute in SamlXml.Children(statement, "Attribute", A))
            {
                var name = SamlXml.Attribute(attribute, "Name");
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                if (!values.TryGetValue(name, out var list))
                {
                    values[name] = list = [];
                }

                list.AddRange(SamlXml.Children(attribute, "AttributeValue", A).Select(v => v.InnerText));
            }
        }

        return values.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value.AsReadOnly(), StringComparer.Ordinal);
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
