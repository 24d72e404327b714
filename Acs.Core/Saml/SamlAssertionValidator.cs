using System.Xml;

namespace Acs.Core.Saml;

/// <summary>
/// Rules 9–12 on the verified assertion element (never one re-selected from the document): version and issuer,
/// time window, audience, subject and bearer confirmation, InResponseTo; then the result record.
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

        // Failures after this point are about a signed assertion; its ID and NameID help the login event log.
        SamlValidationResult Fail(SamlFailure failure) =>
            SamlValidationResult.Fail(failure with { AssertionId = assertionId, NameId = string.IsNullOrWhiteSpace(nameId) ? null : nameId });

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

        // Rule 11. Without Conditions there is no AudienceRestriction naming us, so the assertion could be meant
        // for any SP: refused as an audience mismatch.
        if (CheckAudience(conditions, settings) is { } audienceFailure)
        {
            return Fail(audienceFailure);
        }

        // Rule 12.
        if (subject is null || nameIdElement is null || string.IsNullOrWhiteSpace(nameId))
        {
            return Fail(new SamlFailure(SamlErrorCodes.NameIdInvalid, subject is null || nameIdElement is null
                ? "The Assertion has no single Subject/NameID."
                : "The NameID must be exactly one non-empty text value (no comments or child elements)."));
        }

        if (CheckSubjectConfirmation(subject, settings, now, out var confirmationData, out var confirmationNotOnOrAfter) is { } confirmationFailure)
        {
            return Fail(confirmationFailure);
        }

        var responseInResponseTo = SamlXml.Attribute(response.Root, "InResponseTo");
        var confirmationInResponseTo = SamlXml.Attribute(confirmationData!, "InResponseTo");
        if (CheckInResponseTo(responseInResponseTo, confirmationInResponseTo, settings) is { } inResponseToFailure)
        {
            return Fail(inResponseToFailure);
        }

        if (ReadAuthnStatement(assertion, out var sessionIndex, out var sessionNotOnOrAfter) is { } authnFailure)
        {
            return Fail(authnFailure);
        }

        var notOnOrAfter = conditionsNotOnOrAfter is { } c && c < confirmationNotOnOrAfter ? c : confirmationNotOnOrAfter;
        return SamlValidationResult.Success(new SamlAssertion(
            assertionId!,
            response.ResponseId,
            issuer!,
            nameId,
            SamlXml.Attribute(nameIdElement, "Format"),
            sessionIndex,
            issueInstant,
            notOnOrAfter,
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
    private static SamlFailure? CheckSubjectConfirmation(
        XmlElement subject,
        SamlValidationSettings settings,
        DateTimeOffset now,
        out XmlElement? confirmationData,
        out DateTimeOffset notOnOrAfter)
    {
        confirmationData = null;
        notOnOrAfter = default;
        SamlFailure? firstProblem = null;
        foreach (var confirmation in SamlXml.Children(subject, "SubjectConfirmation", A))
        {
            if (SamlXml.Attribute(confirmation, "Method") != SamlConstants.BearerMethod)
            {
                continue;
            }

            var data = SamlXml.Single(confirmation, "SubjectConfirmationData", A, out _);
            var problem = CheckBearerData(data, settings, now, out var expiry);
            if (problem is null)
            {
                confirmationData = data;
                notOnOrAfter = expiry;
                return null;
            }

            firstProblem ??= problem;
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

    private static SamlFailure? CheckInResponseTo(string? onResponse, string? onConfirmation, SamlValidationSettings settings)
    {
        if (onResponse is not null && onConfirmation is not null && !string.Equals(onResponse, onConfirmation, StringComparison.Ordinal))
        {
            return new SamlFailure(SamlErrorCodes.InResponseToUnexpected, "The Response and its SubjectConfirmationData answer different requests.")
            {
                Expected = onResponse,
                Received = onConfirmation,
            };
        }

        var inResponseTo = onConfirmation ?? onResponse;
        if (inResponseTo is null || settings.ExpectedRequestIds.Contains(inResponseTo, StringComparer.Ordinal))
        {
            return null;
        }

        return new SamlFailure(SamlErrorCodes.InResponseToUnexpected, settings.ExpectedRequestIds.Count == 0
            ? "The response answers a sign-in request (InResponseTo), but none is outstanding."
            : "The response answers a sign-in request (InResponseTo) that is not outstanding.")
        {
            Expected = settings.ExpectedRequestIds.Count == 0 ? null : string.Join(", ", settings.ExpectedRequestIds),
            Received = inResponseTo,
        };
    }

    private static SamlFailure? ReadAuthnStatement(XmlElement assertion, out string? sessionIndex, out DateTimeOffset? sessionNotOnOrAfter)
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
