using System.Reflection;
using System.Xml.Linq;

namespace Acs.Tests.Architecture;

/// <summary>
/// The dependency rule of the README's Architecture section: Core decides and knows neither HTTP nor the database;
/// Data stores and knows no HTTP. Checked on the compiled assemblies and on the project files, so a reference that is
/// added but not yet used fails too.
/// </summary>
public sealed class DependencyRuleTests
{
    private static readonly string[] HttpAndDatabase = ["Microsoft.AspNetCore", "Npgsql", "Dapper", "DbUp", "dbup"];
    private static readonly string[] Http = ["Microsoft.AspNetCore"];

    [Test]
    public void Core_ReferencesNoAspNetCoreNpgsqlOrDapperAssembly()
    {
        var references = ReferencedAssemblies(typeof(Acs.Core.CoreServiceCollectionExtensions).Assembly);

        Assert.That(references.Where(r => StartsWithAny(r, HttpAndDatabase)), Is.Empty);
    }

    [Test]
    public void Data_ReferencesNoAspNetCoreAssembly()
    {
        var references = ReferencedAssemblies(typeof(Acs.Data.DataServiceCollectionExtensions).Assembly);

        Assert.That(references.Where(r => StartsWithAny(r, Http)), Is.Empty);
        Assert.That(references, Does.Contain("Npgsql"), "the check reads real references");
    }

    [TestCase("Acs.Core", new[] { "Microsoft.AspNetCore", "Npgsql", "Dapper", "dbup" })]
    [TestCase("Acs.Data", new[] { "Microsoft.AspNetCore" })]
    public void ProjectFile_NamesNoForbiddenPackageOrFramework(string project, string[] forbidden)
    {
        var file = Path.Combine(RepositoryRoot(), project, project + ".csproj");
        var named = XDocument.Load(file).Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "FrameworkReference" or "ProjectReference")
            .Select(e => (string?)e.Attribute("Include") ?? string.Empty)
            .ToList();

        Assert.That(named.Where(n => StartsWithAny(Path.GetFileNameWithoutExtension(n), forbidden)), Is.Empty, file);
        Assert.That(named.Where(n => n.Contains("Acs.Api", StringComparison.Ordinal)), Is.Empty, $"{project} must not reference the host");
    }

    private static List<string> ReferencedAssemblies(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty).ToList();

    private static bool StartsWithAny(string name, string[] prefixes) =>
        prefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AcsService.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("AcsService.sln is not above the test binaries");
    }
}
