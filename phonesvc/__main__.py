from phonesvc.cli import main

raise SystemExit(main())
