using System.ComponentModel;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Core.Saml.Encryption;

/// <summary>
/// The Node peer IdP of ../shared/peers (samlify, with xml-encryption underneath), read-only, so it runs from the
/// writable copy in ACS_PEERS_DIR (prepared by .ci/run) or from a temporary copy made here with <c>npm ci</c>.
/// </summary>
public sealed class NodePeerIdp : IDisposable
{
    private readonly string _work;
    private readonly string? _peers;

    private NodePeerIdp(string work, string? peers, string? unavailable)
    {
        _work = work;
        _peers = peers;
        Unavailable = unavailable;
    }

    public string? Unavailable { get; }

    public string IdpDirectory => Path.Combine(_work, "idp");

    public static NodePeerIdp Prepare()
    {
        var work = Directory.CreateTempSubdirectory("acs-enc-peers-").FullName;
        try
        {
            var peers = Environment.GetEnvironmentVariable("ACS_PEERS_DIR") is { Length: > 0 } fromEnvironment ? fromEnvironment : CopyAndInstall(work);
            if (peers is null)
            {
                return new NodePeerIdp(work, null, "../shared/peers was not found next to the repository and ACS_PEERS_DIR is not set.");
            }

            Run(work, "node", Path.Combine(peers, "make-idp.mjs"), "--out", Path.Combine(work, "idp"));
            return new NodePeerIdp(work, peers, null);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or IOException or TimeoutException)
        {
            return new NodePeerIdp(work, null, "The Node peer IdP could not be prepared: " + e.Message);
        }
    }

    public void Require()
    {
        if (_peers is null)
        {
            SharedFolder.Missing(Unavailable ?? "The Node peer IdP is not available.");
        }
    }

    /// <summary>Runs issue.mjs with the peer IdP's key; returns the Response XML.</summary>
    public byte[] Issue(params string[] options)
    {
        Require();
        var output = Path.Combine(_work, Guid.NewGuid().ToString("N") + ".xml");
        Run(_work, "node", [Path.Combine(_peers!, "issue.mjs"), "--key", Path.Combine(IdpDirectory, "idp-key.pem"), "--cert", Path.Combine(IdpDirectory, "idp-cert.pem"),
            "--out", output, .. options]);
        return File.ReadAllBytes(output);
    }

    /// <summary>Writes a PEM file into the work folder and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    private static string? CopyAndInstall(string work)
    {
        var source = SharedFolder.Find("peers");
        if (source is null)
        {
            return null;
        }

        var copy = Path.Combine(work, "peers");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("node_modules", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetAttributes(target, FileAttributes.Normal);
        }

        Run(copy, "npm", "ci", "--no-audit", "--no-fund");
        return copy;
    }

    private static void Run(string workingDirectory, string fileName, params string[] arguments)
    {
        var (exitCode, output) = ProcessRunner.RunAsync(fileName, arguments, TimeSpan.FromMinutes(3), workingDirectory).GetAwaiter().GetResult();
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {exitCode}: {output}");
        }
    }
}
