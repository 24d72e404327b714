using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Acs.Api.Hosting;

/// <summary>
/// How long the service waits for slow clients and for itself, set explicitly rather than left to framework defaults:
/// the ACS is a public, unauthenticated endpoint, and a client that dribbles its headers or body must not hold a
/// connection (and a thread's worth of buffers) open for minutes.
/// </summary>
public static class ConnectionLimits
{
    /// <summary>A request body slower than this (after <see cref="MinRequestBodyGracePeriod"/>) is cut off with 408.
    /// An IdP's form post of a few kilobytes arrives at well over a megabyte per second.</summary>
    public const double MinRequestBodyBytesPerSecond = 1024;

    public static readonly TimeSpan MinRequestBodyGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>All request headers must have arrived within this time of the request's first byte.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this time.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(60);

    /// <summary>On SIGTERM, in-flight requests get this long to finish. Below Docker's default 10 s stop grace period,
    /// so the runtime, not a SIGKILL, ends the process.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(8);

    public static IServiceCollection AddAcsConnectionLimits(this IServiceCollection services)
    {
        services.Configure<KestrelServerOptions>(options =>
        {
            options.Limits.MinRequestBodyDataRate = new MinDataRate(MinRequestBodyBytesPerSecond, MinRequestBodyGracePeriod);
            options.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
            options.Limits.KeepAliveTimeout = KeepAliveTimeout;
        });
        services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        return services;
    }
}
