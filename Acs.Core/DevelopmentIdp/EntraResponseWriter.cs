using System.Globalization;
using System.Security;
using System.Text;
using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Core.DevelopmentIdp;

/// <summary>Writes an <see cref="EntraResponse"/> as Entra lays it out: the protocol namespace prefixed
/// <c>samlp</c>, the assertion namespace the default on the Issuer and the Assertion. Unsigned; see
/// <see cref="EntraResponseSigner"/>.</summary>
public static class EntraResponseWriter
{
    public static XmlDocument Write(EntraResponse response)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.LoadXml(ToXml(response));
        return document;
    }

    public static string ToXml(EntraResponse r)
    {
        var attributeCapacity = r.Attributes.Sum(a => a.Key.Length + a.Value.Length + 60);
        var xml = new StringBuilder(2048 + attributeCapacity);
        xml.Append(CultureInfo.InvariantCulture,
            $"""<samlp:Response xmlns:samlp="{SamlConstants.ProtocolNamespace}" ID="{Escape(r.ResponseId)}" Version="2.0" IssueInstant="{FormatTime(r.IssueInstant)}" """);
        if (r.Destination is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""Destination="{Escape(r.Destination)}" """);
        }

        if (r.InResponseTo is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""InResponseTo="{Escape(r.InResponseTo)}" """);
        }

        xml.Append('>');
        if (r.ResponseIssuer is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<Issuer xmlns="{SamlConstants.AssertionNamespace}">{Escape(r.ResponseIssuer)}</Issuer>""");
        }

        WriteStatus(xml, r);
        xml.Append(CultureInfo.InvariantCulture,
            $"""<Assertion xmlns="{SamlConstants.AssertionNamespace}" ID="{Escape(r.AssertionId)}" IssueInstant="{FormatTime(r.AssertionIssueInstant ?? r.IssueInstant)}" Version="2.0">""");
        xml.Append(CultureInfo.InvariantCulture, $"<Issuer>{Escape(r.AssertionIssuer)}</Issuer>");
        WriteSubject(xml, r);
        if (r.IncludeConditions)
        {
            WriteConditions(xml, r);
        }

        WriteAttributes(xml, r.Attributes);
        xml.Append(CultureInfo.InvariantCulture,
            $"""<AuthnStatement AuthnInstant="{FormatTime(r.AuthnInstant)}" SessionIndex="{Escape(r.SessionIndex ?? r.AssertionId)}" """);
        AppendAttribute(xml, "SessionNotOnOrAfter", r.SessionNotOnOrAfter);
        xml.Append(CultureInfo.InvariantCulture,
            $"><AuthnContext><AuthnContextClassRef>{Escape(r.AuthnContextClassRef)}</AuthnContextClassRef></AuthnContext></AuthnStatement>");
        xml.Append("</Assertion></samlp:Response>");
        return xml.ToString();
    }

    /// <summary>xs:dateTime in UTC with milliseconds, as Entra writes it.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteStatus(StringBuilder xml, EntraResponse r)
    {
        xml.Append(CultureInfo.InvariantCulture, $"""<samlp:Status><samlp:StatusCode Value="{Escape(r.StatusCode)}">""");
        if (r.SecondLevelStatusCode is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<samlp:StatusCode Value="{Escape(r.SecondLevelStatusCode)}"/>""");
        }

        xml.Append("</samlp:StatusCode>");
        if (r.StatusMessage is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<samlp:StatusMessage>{Escape(r.StatusMessage)}</samlp:StatusMessage>");
        }

        xml.Append("</samlp:Status>");
    }

    private static void WriteSubject(StringBuilder xml, EntraResponse r)
    {
        xml.Append("<Subject><NameID");
        if (r.NameIdFormat is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $""" Format="{Escape(r.NameIdFormat)}" """);
        }

        xml.Append(CultureInfo.InvariantCulture, $">{r.NameIdXml}</NameID>");
        xml.Append(CultureInfo.InvariantCulture, $"""<SubjectConfirmation Method="{Escape(r.ConfirmationMethod)}"><SubjectConfirmationData""");
        AppendAttribute(xml, "InResponseTo", r.ConfirmationInResponseTo);
        AppendAttribute(xml, "NotBefore", r.ConfirmationNotBefore);
        AppendAttribute(xml, "NotOnOrAfter", r.ConfirmationNotOnOrAfter);
        AppendAttribute(xml, "Recipient", r.Recipient);
        xml.Append("/></SubjectConfirmation></Subject>");
    }

    private static void WriteConditions(StringBuilder xml, EntraResponse r)
    {
        xml.Append("<Conditions");
        AppendAttribute(xml, "NotBefore", r.NotBefore);
        AppendAttribute(xml, "NotOnOrAfter", r.NotOnOrAfter);
        xml.Append('>');
        foreach (var restriction in r.AudienceRestrictions)
        {
            xml.Append("<AudienceRestriction>");
            foreach (var audience in restriction)
            {
                xml.Append(CultureInfo.InvariantCulture, $"<Audience>{Escape(audience)}</Audience>");
            }

            xml.Append("</AudienceRestriction>");
        }

        xml.Append(r.ExtraConditionsXml);
        xml.Append("</Conditions>");
    }

    private static void WriteAttributes(StringBuilder xml, IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        xml.Append("<AttributeStatement>");
        foreach (var group in attributes.GroupBy(a => a.Key))
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<Attribute Name="{Escape(group.Key)}">""");
            foreach (var value in group)
            {
                xml.Append(CultureInfo.InvariantCulture, $"<AttributeValue>{Escape(value.Value)}</AttributeValue>");
            }

            xml.Append("</Attribute>");
        }

        xml.Append("</AttributeStatement>");
    }

    private static void AppendAttribute(StringBuilder xml, string name, DateTimeOffset? value) =>
        AppendAttribute(xml, name, value is { } time ? FormatTime(time) : null);

    private static void AppendAttribute(StringBuilder xml, string name, string? value)
    {
        if (value is not null)
        {
            xml.Append(' ').Append(name).Append("=\"").Append(Escape(value)).Append('"');
        }
    }

    private static string Escape(string value) => SecurityElement.Escape(value);
}
