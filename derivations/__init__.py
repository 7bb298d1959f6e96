"""One module per problem of the set; :mod:`rnnsym.registry` lists them."""
