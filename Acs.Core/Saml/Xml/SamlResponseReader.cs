using System.Xml;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Validation;

namespace Acs.Core.Saml.Xml;

/// <summary>What rules 3–7 established about a response document, before any signature is trusted. For an encrypted
/// response, <see cref="Assertion"/> is the EncryptedAssertion as sent.</summary>
internal sealed record SamlResponseDocument(
    XmlDocument Document,
    XmlElement Root,
    string ResponseId,
    XmlElement Assertion,
    IReadOnlyDictionary<string, XmlElement> ElementsById);

/// <summary>Rules 3–7: the response envelope (root, status, destination, issuer), exactly one assertion,
/// unique IDs. Nothing read here is trusted yet except to refuse.</summary>
internal static class SamlResponseReader
{
    /// <summary>Attributes treated as IDs: SAML's ID, XML-DSig's Id, SAML 1's AssertionID, and id, which
    /// .NET's SignedXml also resolves. A value may occur once across all of them.</summary>
    private static readonly string[] IdAttributeNames = ["ID", "Id", "id", "AssertionID"];

    public static SamlFailure? Read(XmlDocument document, SamlValidationSettings settings, out SamlResponseDocument? response)
    {
        response = null;
        var root = document.DocumentElement!;

        // Rule 3.
        if (root.LocalName != "Response" || root.NamespaceURI != SamlConstants.ProtocolNamespace)
        {
            return new SamlFailure(SamlErrorCodes.ResponseNotSaml, "The root element is not a SAML 2.0 protocol Response.")
            {
                Expected = "{" + SamlConstants.ProtocolNamespace + "}Response",
                Received = "{" + root.NamespaceURI + "}" + root.LocalName,
            };
        }

        if (SamlXml.Attribute(root, "Version") != SamlConstants.Version)
        {
            return new SamlFailure(SamlErrorCodes.ResponseNotSaml, "The Response is not SAML version 2.0.")
            {
                Expected = SamlConstants.Version,
                Received = SamlXml.Attribute(root, "Version"),
            };
        }

        var responseId = SamlXml.Attribute(root, "ID");
        if (!SamlXml.IsNcName(responseId))
        {
            return new SamlFailure(SamlErrorCodes.ResponseNotSaml, "The Response has no valid ID.");
        }

        if (!SamlTime.TryParse(SamlXml.Attribute(root, "IssueInstant"), out _))
        {
            return new SamlFailure(SamlErrorCodes.ResponseNotSaml, "The Response has no valid IssueInstant.")
            {
                Received = SamlXml.Attribute(root, "IssueInstant"),
            };
        }

        // Rule 4.
        if (CheckStatus(root) is { } statusFailure)
        {
            return statusFailure;
        }

        // Rule 5. A signed Response must name its destination, or it could be replayed to another SP's ACS.
        var destination = SamlXml.Attribute(root, "Destination");
        var responseSigned = SamlXml.First(root, "Signature", SamlConstants.XmlDsigNamespace) is not null;
        if (destination is null ? responseSigned : !string.Equals(destination, settings.AcsUrl, StringComparison.Ordinal))
        {
            return new SamlFailure(SamlErrorCodes.DestinationMismatch, destination is null
                ? "The Response is signed but has no Destination."
                : "The Response's Destination is not this service's ACS URL.")
            {
                Expected = settings.AcsUrl,
                Received = destination,
            };
        }

        // Rule 6.
        var issuers = SamlXml.Children(root, "Issuer", SamlConstants.AssertionNamespace).ToList();
        if (issuers.Count > 1)
        {
            return new SamlFailure(SamlErrorCodes.IssuerMismatch, "The Response has more than one Issuer.");
        }

        if (issuers.Count == 1 && !string.Equals(issuers[0].InnerText, settings.IdpEntityId, StringComparison.Ordinal))
        {
            return new SamlFailure(SamlErrorCodes.IssuerMismatch, "The Response's Issuer is not the configured IdP entity ID.")
            {
                Expected = settings.IdpEntityId,
                Received = issuers[0].InnerText,
            };
        }

        // Rule 7, searching the whole document on purpose: a second assertion anywhere is refused.
        // The encrypted form, and any response to a tenant that requires it, is read by Encryption/EncryptedAssertionReader.
        if (settings.EncryptedAssertions == EncryptedAssertionPolicy.Required
            || document.GetElementsByTagName("EncryptedAssertion", SamlConstants.AssertionNamespace).Count > 0)
        {
            return EncryptedAssertionReader.Locate(document, root, responseId!, settings, out response);
        }

        var assertions = document.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace);
        if (assertions.Count == 0)
        {
            return new SamlFailure(SamlErrorCodes.AssertionMissing, "The Response carries no Assertion.");
        }

        if (assertions.Count > 1)
        {
            return new SamlFailure(SamlErrorCodes.AssertionMultiple, $"The Response carries {assertions.Count} Assertion elements; exactly one is accepted.");
        }

        var assertion = (XmlElement)assertions[0]!;
        if (!ReferenceEquals(assertion.ParentNode, root))
        {
            return new SamlFailure(SamlErrorCodes.AssertionMissing, "The Response's Assertion is not a direct child of the Response.");
        }

        if (IndexIds(root, out var elementsById) is { } duplicate)
        {
            return new SamlFailure(SamlErrorCodes.DuplicateId, "An ID value occurs more than once in the Response.")
            {
                Received = duplicate,
            };
        }

        response = new SamlResponseDocument(document, root, responseId!, assertion, elementsById);
        return null;
    }

    private static SamlFailure? CheckStatus(XmlElement root)
    {
        var status = SamlXml.Single(root, "Status", SamlConstants.ProtocolNamespace, out _);
        var statusCode = status is null ? null : SamlXml.Single(status, "StatusCode", SamlConstants.ProtocolNamespace, out _);
        var value = statusCode is null ? null : SamlXml.Attribute(statusCode, "Value");
        if (value == SamlConstants.StatusSuccess)
        {
            return null;
        }

        var secondLevel = statusCode is null ? null : SamlXml.First(statusCode, "StatusCode", SamlConstants.ProtocolNamespace);
        var secondValue = secondLevel is null ? null : SamlXml.Attribute(secondLevel, "Value");
        var statusMessage = status is null ? null : SamlXml.First(status, "StatusMessage", SamlConstants.ProtocolNamespace)?.InnerText;
        var received = string.Join(" | ", new[] { value, secondValue, statusMessage }.Where(s => !string.IsNullOrEmpty(s)));
        return new SamlFailure(SamlErrorCodes.IdpStatusNotSuccess,
            $"The IdP reported {secondValue ?? value ?? "no status"}" + (statusMessage is null ? "." : ": " + statusMessage))
        {
            Expected = SamlConstants.StatusSuccess,
            Received = received.Length == 0 ? null : received,
        };
    }

    /// <summary>Maps every ID value to its element; returns the first duplicate value, if any.</summary>
    internal static string? IndexIds(XmlElement root, out IReadOnlyDictionary<string, XmlElement> index)
    {
        var ids = new Dictionary<string, XmlElement>(StringComparer.Ordinal);
        index = ids;
        var stack = new Stack<XmlElement>();
        var children = new List<XmlElement>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var element = stack.Pop();
            // HasAttributes first: reading Attributes on an element without any allocates a collection under a lock.
            if (element.HasAttributes)
            {
                foreach (var name in IdAttributeNames)
                {
                    if (element.GetAttributeNode(name) is { } attribute && !ids.TryAdd(attribute.Value, element))
                    {
                        return attribute.Value;
                    }
                }
            }

            // Forward through the siblings and push in reverse, so elements are visited in document order:
            // PreviousSibling walks from the first child each time, which made wide elements (hundreds of group
            // values) quadratic.
            children.Clear();
            for (var child = element.FirstChild; child is not null; child = child.NextSibling)
            {
                if (child is XmlElement childElement)
                {
                    children.Add(childElement);
                }
            }

            for (var i = children.Count - 1; i >= 0; i--)
            {
                stack.Push(children[i]);
            }
        }

        return null;
    }
}
