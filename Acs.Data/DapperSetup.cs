using System.Runtime.CompilerServices;

namespace Acs.Data;

internal static class DapperSetup
{
    /// <summary>Maps snake_case columns to PascalCase members, before any query of this assembly runs.</summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Dapper's mapping is process-wide and every store relies on it.")]
    internal static void Configure() => Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
}
