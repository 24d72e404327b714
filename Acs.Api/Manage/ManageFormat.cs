using System.Globalization;

namespace Acs.Api.Manage;

/// <summary>How the administration pages write instants: UTC, to the minute, the same everywhere.</summary>
internal static class ManageFormat
{
    public static string Time(DateTimeOffset? instant) =>
        instant is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "never";

    public static string Date(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
