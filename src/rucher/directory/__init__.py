"""The people directory: finding colleagues and keeping contacts. Above spaces, because who
may be seen (a partner guest sees only the people of their spaces) is the read policy's rule."""
