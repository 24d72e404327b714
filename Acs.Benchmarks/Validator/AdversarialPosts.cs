using System.Globalization;
using System.Text;

namespace Acs.Benchmarks.Validator;

/// <summary>One post of the CPU-bound measurement: what it is, its decoded bytes.</summary>
public sealed record AdversarialPost(string Name, string Description, byte[] Bytes);

/// <summary>
/// Posts built to cost the validator as much CPU as possible per byte, each at most the size cap. Every payload
/// goes into a genuinely signed 5 KB response: inside the signed Assertion, whose SignedInfo and SignatureValue are
/// replayed unchanged, so the signature check passes and the whole payload is canonicalized and digested before the
/// digest mismatch refuses it (the most work an attacker holding any one genuine response can cause). Only the
/// prefix-list post forges SignedInfo itself.
/// </summary>
public static class AdversarialPosts
{
    private const string Anchor = "</AttributeStatement>";

    public static IReadOnlyList<AdversarialPost> Build(byte[] signed, int cap)
    {
        var xml = Encoding.UTF8.GetString(signed);
        var room = cap - signed.Length - 64;
        AdversarialPost Payload(string name, string description, Func<int, string> build) =>
            new(name, description, Encoding.UTF8.GetBytes(Insert(xml, build(room))));

        return
        [
            Payload("6000-prefixed-attributes-cr", "one element, 6,000 attributes each with its own declared prefix, and one &#13; (the reported post, ~205 KB)",
                _ => "<x" + Repeat(6000, i => $" xmlns:p{i}=\"urn:p{i}\" p{i}:a=\"v\"") + ">&#13;</x>"),
            Payload("6000-attributes-one-prefix-cr", "one element, 6,000 attributes of one declared prefix, and one &#13;",
                _ => "<x xmlns:p=\"urn:p\"" + Repeat(6000, i => $" p:a{i}=\"v\"") + ">&#13;</x>"),
            Payload("attributes-at-element-cap", "elements of 64 prefixed attributes (the cap), values &#13;&#9;",
                r => "<w xmlns:p=\"urn:p\">" + Fill(r - 30, i => "<x" + Repeat(64, a => $" p:a{a}=\"&#13;&#9;\"") + "/>") + "</w>"),
            Payload("prefixes-used-far-below", "56 prefixes (with the response's own, the binding cap) declared on 2 nested elements; leaves of 64 attributes "
                    + "cycle through them with the same 64 local names, so every leaf declares its prefixes in canonical form",
                r => Nest(2, level => Repeat(28, d => $" xmlns:q{level * 28 + d}=\"urn:q{level * 28 + d}\""),
                    inner => Fill(inner, i => "<x" + Repeat(64, a => $" q{(i * 7 + a) % 56}:a{a}=\"\"") + "/>"), r)),
            Payload("prefixes-over-binding-cap", "as above with 256 prefixes on 8 nested elements: refused at the 65th distinct binding",
                r => Nest(8, level => Repeat(32, d => $" xmlns:q{level * 32 + d}=\"urn:q{level * 32 + d}\""),
                    inner => Fill(inner, i => "<x" + Repeat(64, a => $" q{(i * 7 + a) % 256}:a{a}=\"\"") + "/>"), r)),
            Payload("declarations-near-document-cap", "7,680 namespace declarations (32 on each of 240 elements, 4 chains nested 60 deep), one prefix alternating between two namespaces",
                r => Repeat(4, chain => Nest(60, level => Repeat(32, d => $" xmlns:n{d}=\"urn:{(d == 0 ? level % 2 : 0)}\""), _ => "", r / 4))),
            Payload("declarations-over-document-cap", "9,600 namespace declarations (5 chains as above): refused at the 8,193rd",
                r => Repeat(5, chain => Nest(60, level => Repeat(32, d => $" xmlns:n{d}=\"urn:{(d == 0 ? level % 2 : 0)}\""), _ => "", r / 5))),
            Payload("deep-nesting-at-cap", "subtrees nested to the depth cap, repeated",
                r => Fill(r, i => string.Concat(Enumerable.Repeat("<d>", 58)) + "&#13;" + string.Concat(Enumerable.Repeat("</d>", 58)))),
            Payload("huge-attribute-value", "one attribute value of character references (&#13;&#9;&amp;&lt;)",
                r => "<x v=\"" + Fill(r - 20, _ => "&#13;&#9;&amp;&lt;") + "\"/>"),
            Payload("many-text-references", "one text node of &#13; references",
                r => "<x>" + Fill(r - 10, _ => "&#13;") + "</x>"),
            Payload("many-elements", "empty elements, as many as fit",
                r => Fill(r, _ => "<a/>")),
            Payload("many-ids", "elements each with a distinct ID (the ID index)",
                r => Fill(r, i => $"<a ID=\"_{i}\"/>")),
            Payload("many-comments-and-pis", "comments and processing instructions",
                r => Fill(r, _ => "<!--c--><?p d?>")),
            new("huge-prefix-list", "SignedInfo's exclusive c14n transform names ~20,000 InclusiveNamespaces prefixes (SignedInfo forged)",
                Encoding.UTF8.GetBytes(xml.Replace("xml-exc-c14n#\" /></Transforms>",
                    "xml-exc-c14n#\"><InclusiveNamespaces xmlns=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\""
                    + Fill(room - 200, i => $"p{i} ") + "\"/></Transform></Transforms>", StringComparison.Ordinal))),
        ];
    }

    private static string Insert(string xml, string payload)
    {
        var at = xml.IndexOf(Anchor, StringComparison.Ordinal);
        return at < 0 ? throw new InvalidOperationException("no AttributeStatement") : xml.Insert(at, payload);
    }

    private static string Repeat(int count, Func<int, string> piece)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(piece(i));
        }

        return text.ToString();
    }

    /// <summary>Pieces until <paramref name="room"/> characters (ASCII: bytes) are used.</summary>
    private static string Fill(int room, Func<int, string> piece)
    {
        var text = new StringBuilder(room);
        for (var i = 0; ; i++)
        {
            var next = piece(i);
            if (text.Length + next.Length > room)
            {
                return text.ToString();
            }

            text.Append(next);
        }
    }

    /// <summary><paramref name="levels"/> nested elements with the given attributes, then content filling what room is left.</summary>
    private static string Nest(int levels, Func<int, string> attributes, Func<int, string> content, int room)
    {
        var open = new StringBuilder();
        for (var level = 0; level < levels; level++)
        {
            open.Append(CultureInfo.InvariantCulture, $"<e{attributes(level)}>");
        }

        var close = string.Concat(Enumerable.Repeat("</e>", levels));
        return open + content(room - open.Length - close.Length) + close;
    }
}
