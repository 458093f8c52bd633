"""The Qt-free domain of LeadAssist: names, domains, address formats, DNS checks, CRM CSV files, enrichment."""
