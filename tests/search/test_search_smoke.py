from rucher.conversations import actions


def test_smoke(world, index_now, find):
    alice = world["alice"]
    post = actions.publish(alice, world["open"], "L'entreprise prépare les budgets de l'équipe")
    index_now()
    assert ("post", post.pk) in find(world["bob"], "entreprise")
    assert ("post", post.pk) in find(world["bob"], "budget equipe")
    assert ("post", post.pk) in find(world["bob"], "bud")
