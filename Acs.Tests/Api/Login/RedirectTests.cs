using Acs.Api.Login;
using Acs.Api.Pages;
using Microsoft.AspNetCore.Http;

namespace Acs.Tests.Api.Login;

/// <summary>The redirect after sign-in: a path on the same site, always a valid Location header.</summary>
public sealed class RedirectTests
{
    [TestCase("/incidents/café", "/incidents/caf%C3%A9")]
    [TestCase("/emoji/😀", "/emoji/%F0%9F%98%80")]
    [TestCase("/ok?a=1&b=x#top", "/ok?a=1&b=x#top")]
    [TestCase("/%", "/%25")]
    [TestCase("/a%2", "/a%252")]
    [TestCase("/https://evil.example", "/")]
    [TestCase(null, "/")]
    public void SafeRedirectPath_IsAnAsciiLocalPath(string? relayState, string expected) =>
        Assert.That(RelayStates.SafeRedirectPath(relayState), Is.EqualTo(expected));

    [Test]
    public void SafeRedirectPath_WithALoneSurrogate_IsTheLandingPage()
    {
        Assert.That(RelayStates.SafeRedirectPath("/" + '\uD800' + "x"), Is.EqualTo("/"));
        Assert.That(RelayStates.SafeRedirectPath("/x" + '\uDC00'), Is.EqualTo("/"));
    }

    [Test]
    public void SafeRedirectPath_WhoseEncodingGrowsPastTheCap_IsTheLandingPage()
    {
        // 700 characters, each three UTF-8 bytes: 4,200 characters once encoded.
        Assert.That(RelayStates.SafeRedirectPath("/" + new string('€', 700)), Is.EqualTo("/"));
        Assert.That(RelayStates.SafeRedirectPath("/" + new string('€', 100)), Has.Length.EqualTo(901));
    }

    [TestCase("/incidents/café")]
    [TestCase("/a\r\nSet-Cookie: x=y")]
    [TestCase("/a b")]
    [TestCase("")]
    public async Task SeeOther_WithALocationThatCannotBeAHeader_RedirectsToTheLandingPage(string location)
    {
        var http = new DefaultHttpContext();

        await new SeeOther(location).ExecuteAsync(http);

        Assert.That(http.Response.StatusCode, Is.EqualTo(StatusCodes.Status303SeeOther));
        Assert.That(http.Response.Headers.Location.ToString(), Is.EqualTo("/"));
    }

    [Test]
    public async Task SeeOther_WithAnAsciiPath_KeepsIt()
    {
        var http = new DefaultHttpContext();

        await new SeeOther("/incidents/caf%C3%A9?x=1").ExecuteAsync(http);

        Assert.That(http.Response.Headers.Location.ToString(), Is.EqualTo("/incidents/caf%C3%A9?x=1"));
    }
}
