"""Rules on Azure ML job definitions: jobs (``Job``), the jobs schedules create (``Schedule`` with
a ``CreateJob`` action), and the environment images they run. ``model`` reads job definitions
(every rule here goes through it); ``samples`` builds the job shapes the rules' samples share."""
