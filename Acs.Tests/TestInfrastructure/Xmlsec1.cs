using System.Diagnostics;
using System.Text;
using Acs.Testing.TestIdp;

namespace Acs.Tests.TestInfrastructure;

/// <summary>
/// The xmlsec1 command-line tool (Debian package <c>xmlsec1</c>, on libxml2's canonicalizer): the independent
/// implementation the validator's canonicalization is compared with, and a signer that follows the specification
/// where .NET's SignedXml does not. Tests that need it fail, never skip, when it is missing.
/// </summary>
public static class Xmlsec1
{
    public const string AssertionElement = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion";
    public const string ResponseElement = "urn:oasis:names:tc:SAML:2.0:protocol:Response";

    private static readonly Lazy<string?> Executable = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "xmlsec1"))
            .FirstOrDefault(File.Exists));

    /// <summary>An enveloped-signature template (RSA-SHA256, SHA-256, enveloped + exclusive c14n, the certificate
    /// in KeyInfo) for the element with ID <paramref name="id"/>; xmlsec1 fills in the values.</summary>
    public static string SignatureTemplate(string id, string? transformPrefixList = null, string? signedInfoPrefixList = null, string prefix = "ds")
    {
        var p = prefix.Length == 0 ? "" : prefix + ":";
        var declaration = prefix.Length == 0 ? "xmlns" : "xmlns:" + prefix;
        string Inclusive(string? list) => list is null
            ? "/>"
            : $"""><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="{list}"/></{p}Transform>""";
        string InclusiveMethod(string? list) => list is null
            ? "/>"
            : $"""><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="{list}"/></{p}CanonicalizationMethod>""";
        return $"""<{p}Signature {declaration}="http://www.w3.org/2000/09/xmldsig#"><{p}SignedInfo><{p}CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"{InclusiveMethod(signedInfoPrefixList)}<{p}SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><{p}Reference URI="#{id}"><{p}Transforms><{p}Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><{p}Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"{Inclusive(transformPrefixList)}</{p}Transforms><{p}DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><{p}DigestValue></{p}DigestValue></{p}Reference></{p}SignedInfo><{p}SignatureValue></{p}SignatureValue><{p}KeyInfo><{p}X509Data/></{p}KeyInfo></{p}Signature>""";
    }

    /// <summary>Signs the first signature template of each document with <paramref name="keys"/> (RSA), in one run
    /// of xmlsec1, and returns the signed documents in order. <paramref name="idElements"/> name the elements whose
    /// ID attribute references resolve ("namespace:localName").</summary>
    public static IReadOnlyList<byte[]> Sign(IReadOnlyList<string> templates, TestIdpKeys keys, params string[] idElements)
    {
        using var folder = new TempFolder();
        var (key, certificate) = folder.WriteKeys(keys);
        var arguments = new List<string> { "--sign", "--privkey-pem", key + "," + certificate };
        foreach (var element in idElements)
        {
            arguments.Add("--id-attr:ID");
            arguments.Add(element);
        }

        for (var i = 0; i < templates.Count; i++)
        {
            var file = Path.Combine(folder.Path, $"t{i:D5}.xml");
            File.WriteAllText(file, templates[i], new UTF8Encoding(false));
            arguments.Add(file);
        }

        var (exitCode, stdout, stderr) = Run(arguments);
        Assert.That(exitCode, Is.Zero, "xmlsec1 --sign failed: " + stderr);
        var documents = Split(stdout);
        Assert.That(documents, Has.Count.EqualTo(templates.Count), "xmlsec1 did not output one document per input: " + stderr);
        return documents;
    }

    /// <summary>What xmlsec1 digests and signs when it verifies <paramref name="signed"/>: the reference's
    /// canonical form ("PreDigest") and SignedInfo's ("PreSigned"), for failure messages.</summary>
    public static string Explain(byte[] signed, byte[] ours, TestIdpKeys keys, params string[] idElements)
    {
        using var folder = new TempFolder();
        var (_, certificate) = folder.WriteKeys(keys);
        var file = Path.Combine(folder.Path, "signed.xml");
        File.WriteAllBytes(file, signed);
        var arguments = new List<string> { "--verify", "--store-references", "--store-signatures", "--pubkey-cert-pem", certificate };
        foreach (var element in idElements)
        {
            arguments.Add("--id-attr:ID");
            arguments.Add(element);
        }

        arguments.Add(file);
        var (_, stdout, stderr) = Run(arguments);
        var text = Encoding.UTF8.GetString(stdout);
        var theirs = Between(text, "== PreDigest data - start buffer:\n", "\n== PreDigest data - end buffer");
        var mine = Encoding.UTF8.GetString(ours);
        var at = mine.AsSpan().CommonPrefixLength(theirs);
        return $"first difference at {at}: ours [{Excerpt(mine, at)}] xmlsec1 [{Excerpt(theirs, at)}]\n"
            + $"xmlsec1 PreDigest: [{theirs}]\n"
            + $"xmlsec1 PreSigned: [{Between(text, "== PreSigned data - start buffer:\n", "\n== PreSigned data - end buffer")}]\n{stderr}";
    }

    private static string Excerpt(string text, int at) => text.Substring(Math.Max(0, at - 60), Math.Min(text.Length, at + 60) - Math.Max(0, at - 60));

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = from < 0 ? -1 : text.IndexOf(end, from + start.Length, StringComparison.Ordinal);
        return to < 0 ? "(not found)" : text[(from + start.Length)..to];
    }

    private static (int ExitCode, byte[] Stdout, string Stderr) Run(IReadOnlyList<string> arguments)
    {
        var executable = Executable.Value;
        if (executable is null)
        {
            Assert.Fail("xmlsec1 is not installed (Debian: apt-get install -y xmlsec1). The canonicalization tests compare "
                + "the validator with it and cannot run without it.");
        }

        var start = new ProcessStartInfo(executable!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            Assert.Fail("xmlsec1 did not finish within 60 s.");
        }

        copy.Wait();
        return (process.ExitCode, stdout.ToArray(), stderr.Result);
    }

    /// <summary>xmlsec1 writes the signed documents one after another, each starting with an XML declaration.</summary>
    private static List<byte[]> Split(byte[] output)
    {
        var marker = "<?xml version="u8;
        var documents = new List<byte[]>();
        var rest = output.AsSpan();
        var start = rest.IndexOf(marker);
        while (start >= 0)
        {
            var next = rest[(start + marker.Length)..].IndexOf(marker);
            var end = next < 0 ? rest.Length : start + marker.Length + next;
            documents.Add(rest[start..end].ToArray());
            rest = rest[end..];
            start = next < 0 ? -1 : 0;
        }

        return documents;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("acs-xmlsec1-").FullName;

        public (string Key, string Certificate) WriteKeys(TestIdpKeys keys)
        {
            var key = System.IO.Path.Combine(Path, "key.pem");
            var certificate = System.IO.Path.Combine(Path, "cert.pem");
            File.WriteAllText(key, keys.Key.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(certificate, keys.Certificate.ExportCertificatePem());
            return (key, certificate);
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
