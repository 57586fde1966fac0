# The steps: the same in every script `authsweep tenant plan` writes; the settings above
# name this code's mailboxes, permissions and roles.
Import-Module Microsoft.Graph.Applications
Import-Module ExchangeOnlineManagement
$Graph = @{ Scopes = @('Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All'); NoWelcome = $true }
if ($TenantId) { $Graph.TenantId = $TenantId }
Connect-MgGraph @Graph
Connect-ExchangeOnline -ShowBanner:$false

$State = @{ App = $null; Sp = $null; ExoSp = $null; ExchangeSp = $null }
$Changes = [System.Collections.Generic.List[object]]::new()
function Add-Change([string] $Description, [scriptblock] $Action) {
    $Changes.Add([pscustomobject]@{ Description = $Description; Action = $Action })
}

# 1. Every mailbox exists (the script stops here, before any change, if one does not); its
#    primary address names it in the management scopes.
$Primary = @{}
foreach ($Protocol in @($Mailboxes.Keys)) {
    $Primary[$Protocol] = @(foreach ($Address in $Mailboxes[$Protocol]) {
        [string] (Get-Recipient -Identity $Address).PrimarySmtpAddress
    })
}
foreach ($Address in $SendAs) { $null = Get-Recipient -Identity $Address }

# 2. The app registration (accounts in this directory only) and its enterprise application.
$State.App = Get-MgApplication -Filter "displayName eq '$($AppName -replace "'", "''")'" | Select-Object -First 1
if (-not $State.App) {
    Add-Change "Entra ID: create the app registration '$AppName' (accounts in this directory only)" {
        $State.App = New-MgApplication -DisplayName $AppName -SignInAudience 'AzureADMyOrg'
    }
}
if ($State.App) {
    $State.Sp = Get-MgServicePrincipal -Filter "appId eq '$($State.App.AppId)'" | Select-Object -First 1
}
if (-not $State.Sp) {
    Add-Change "Entra ID: create the enterprise application (service principal) of '$AppName'" {
        $State.Sp = New-MgServicePrincipal -AppId $State.App.AppId
    }
}

# 3. Application permissions that have no RBAC role (IMAP, POP), and admin consent for them.
if ($EntraPermissions.Count -gt 0) {
    $State.ExoSp = Get-MgServicePrincipal -Filter "appId eq '$ExchangeOnlineAppId'" | Select-Object -First 1
}
foreach ($Permission in $EntraPermissions) {
    $Role = $State.ExoSp.AppRoles | Where-Object { $_.Value -eq $Permission -and $_.AllowedMemberTypes -contains 'Application' }
    if (-not $Role) { throw "Office 365 Exchange Online offers no application permission $Permission" }
    $Listed = $State.App -and (@($State.App.RequiredResourceAccess | Where-Object { $_.ResourceAppId -eq $ExchangeOnlineAppId } | ForEach-Object { $_.ResourceAccess.Id }) -contains $Role.Id)
    if (-not $Listed) {
        Add-Change "Entra ID: add the application permission $Permission (Office 365 Exchange Online) to '$AppName'" {
            $Access = [System.Collections.Generic.List[object]]::new()
            $Exchange = [System.Collections.Generic.List[object]]::new()
            foreach ($Resource in @($State.App.RequiredResourceAccess)) {
                $Items = @($Resource.ResourceAccess | ForEach-Object { @{ Id = $_.Id; Type = $_.Type } })
                if ($Resource.ResourceAppId -eq $ExchangeOnlineAppId) { $Exchange.AddRange($Items) }
                else { $Access.Add(@{ ResourceAppId = $Resource.ResourceAppId; ResourceAccess = $Items }) }
            }
            $Exchange.Add(@{ Id = $Role.Id; Type = 'Role' })
            $Access.Add(@{ ResourceAppId = $ExchangeOnlineAppId; ResourceAccess = @($Exchange) })
            Update-MgApplication -ApplicationId $State.App.Id -RequiredResourceAccess @($Access)
            $State.App = Get-MgApplication -ApplicationId $State.App.Id
        }.GetNewClosure()
    }
    $Granted = $State.Sp -and (@(Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $State.Sp.Id -All | Where-Object { $_.AppRoleId -eq $Role.Id -and $_.ResourceId -eq $State.ExoSp.Id }).Count -gt 0)
    if (-not $Granted) {
        Add-Change "Entra ID: grant admin consent for $Permission to '$AppName'" {
            $null = New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $State.Sp.Id -PrincipalId $State.Sp.Id -ResourceId $State.ExoSp.Id -AppRoleId $Role.Id
        }.GetNewClosure()
    }
}

# 4. The app's service principal in Exchange Online: the ENTERPRISE application's object id
#    (Get-MgServicePrincipal), not the app registration's; the wrong one fails sign-in.
if ($State.App) {
    $State.ExchangeSp = Get-ServicePrincipal | Where-Object { $_.AppId -eq $State.App.AppId } | Select-Object -First 1
}
if (-not $State.ExchangeSp) {
    Add-Change "Exchange Online: register the service principal of '$AppName' (New-ServicePrincipal)" {
        $State.ExchangeSp = New-ServicePrincipal -AppId $State.App.AppId -ObjectId $State.Sp.Id -DisplayName "$AppName (authsweep)"
    }
}

# 5. RBAC for Applications: a management scope naming exactly the protocol's mailboxes and
#    one role assignment, per protocol.
foreach ($Protocol in @($RbacRoles.Keys)) {
    $Role = $RbacRoles[$Protocol]
    $null = Get-ManagementRole -Identity $Role
    if ($Primary[$Protocol].Count -eq 0) {
        Write-Warning "No mailbox known for $Protocol; add the addresses to `$Mailboxes and run again."
        continue
    }
    $ScopeName = "$AppName $Protocol mailboxes"
    $Filter = ($Primary[$Protocol] | ForEach-Object { "PrimarySmtpAddress -eq '$($_ -replace "'", "''")'" }) -join ' -or '
    $Scope = Get-ManagementScope -Identity $ScopeName -ErrorAction SilentlyContinue
    if (-not $Scope) {
        Add-Change "Exchange Online: create the management scope '$ScopeName': $Filter" {
            $null = New-ManagementScope -Name $ScopeName -RecipientRestrictionFilter $Filter
        }.GetNewClosure()
    }
    elseif (($Scope.RecipientFilter -replace '[()\s]', '') -ne ($Filter -replace '[()\s]', '')) {
        Add-Change "Exchange Online: set the management scope '$ScopeName' to $Filter (it was $($Scope.RecipientFilter))" {
            Set-ManagementScope -Identity $ScopeName -RecipientRestrictionFilter $Filter
        }.GetNewClosure()
    }
    $AssignmentName = "$AppName $Protocol"
    $Assignment = Get-ManagementRoleAssignment -Identity $AssignmentName -ErrorAction SilentlyContinue
    if (-not $Assignment) {
        Add-Change "Exchange Online: assign '$Role' to '$AppName', scoped to '$ScopeName'" {
            $null = New-ManagementRoleAssignment -Name $AssignmentName -Role $Role -App $State.App.AppId -CustomResourceScope $ScopeName
        }.GetNewClosure()
    }
    elseif ($Assignment.CustomResourceScope -ne $ScopeName) {
        Write-Warning "The role assignment '$AssignmentName' exists with the scope '$($Assignment.CustomResourceScope)'; left as it is."
    }
}

# 6. Protocols without an RBAC role: FullAccess for the app on each of their mailboxes.
$Needed = @($MailboxPermissionProtocols | ForEach-Object { $Primary[$_] } | Sort-Object -Unique)
foreach ($Address in $Needed) {
    $Has = $State.ExchangeSp -and (@(Get-MailboxPermission -Identity $Address -User $State.ExchangeSp.Identity -ErrorAction SilentlyContinue | Where-Object { $_.AccessRights -contains $MailboxRight }).Count -gt 0)
    if (-not $Has) {
        Add-Change "Exchange Online: give '$AppName' $MailboxRight on $Address (Add-MailboxPermission)" {
            $null = Add-MailboxPermission -Identity $Address -User $State.ExchangeSp.Identity -AccessRights $MailboxRight
        }.GetNewClosure()
    }
}

# 7. SendAs on From addresses that are not the signed-in mailbox: for the app (SMTP with
#    XOAUTH2), or for the mailbox Graph sends them from ($SendAsTrustees, `--target graph`).
foreach ($Address in $SendAs) {
    $Mailbox = $SendAsTrustees[$Address]
    $Trustee = if ($Mailbox) { $Mailbox } elseif ($State.ExchangeSp) { $State.ExchangeSp.Identity } else { $null }
    $Has = $Trustee -and (@(Get-RecipientPermission -Identity $Address -Trustee $Trustee -ErrorAction SilentlyContinue | Where-Object { $_.AccessRights -contains $SendAsRight }).Count -gt 0)
    if (-not $Has) {
        $Who = if ($Mailbox) { $Mailbox } else { "'$AppName'" }
        Add-Change "Exchange Online: let $Who send as $Address (Add-RecipientPermission)" {
            $To = if ($Mailbox) { $Mailbox } else { $State.ExchangeSp.Identity }
            $null = Add-RecipientPermission -Identity $Address -Trustee $To -AccessRights $SendAsRight -Confirm:$false
        }.GetNewClosure()
    }
}

# Say what will change, then change it.
if ($Changes.Count -eq 0) {
    Write-Host 'Nothing to change: the tenant is set up for this code.'
}
else {
    Write-Host "Changes to make ($($Changes.Count)):"
    foreach ($Change in $Changes) { Write-Host "  - $($Change.Description)" }
    foreach ($Change in $Changes) {
        if ($PSCmdlet.ShouldProcess($Change.Description, 'Change the tenant')) { & $Change.Action }
    }
}

# Check what RBAC grants, mailbox by mailbox (read only).
if ($State.ExchangeSp -and -not $WhatIfPreference) {
    foreach ($Protocol in @($RbacRoles.Keys)) {
        foreach ($Address in $Primary[$Protocol]) {
            $Granted = Test-ServicePrincipalAuthorization -Identity $State.ExchangeSp.Identity -Resource $Address
            foreach ($Grant in @($Granted | Where-Object { $_.RoleName -eq $RbacRoles[$Protocol] })) {
                Write-Host "  $($Address): $($Grant.RoleName), scope '$($Grant.AllowedResourceScope)', in scope: $($Grant.InScope)"
            }
        }
    }
}
