namespace Acs.Api.Pages;

/// <summary>A way on from a page: its text and address; the first link of a page is its main action.</summary>
public sealed record PageLink(string Text, string Href);
