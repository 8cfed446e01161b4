{
  "targets": [
    {
      "target_name": "pmem",
      "sources": ["pmem.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
